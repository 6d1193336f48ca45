/**
 * GGUF chat templates: a template that can reach Python internals when a renderer runs it in a plain jinja2
 * Environment (CVE-2024-34359) is dangerous however it spells the attribute name, ordinary chat templates are safe,
 * and one the scanner cannot parse is not vouched for. Every template here goes through a real GGUF file.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ggufBytes } from '../../ingest/scan/build.ts';
import { scanBytes } from '../../ingest/scan/index.ts';
import { BENIGN_TEMPLATES, EVASIONS, UNPARSEABLE_TEMPLATES } from './chat-templates.ts';

const gguf = (template: string, key = 'tokenizer.chat_template') =>
  ggufBytes([['general.architecture', { type: 'string', value: 'llama' }], [key, { type: 'string', value: template }]], [{ name: 't', dims: [8], ggmlType: 0 }]);

describe('GGUF chat templates', () => {
  for (const e of EVASIONS) {
    it(`an attribute name built at render time is dangerous: ${e.name}`, async () => {
      const r = await scanBytes('model.gguf', gguf(e.template));
      assert.equal(r.verdict, 'dangerous', `${r.verdict}: ${r.reason}`);
      assert.equal(r.decidedBy, 'format-check');
      assert.match(r.reason, /^tokenizer\.chat_template /);
    });
  }

  it('says why: a computed subscript key, the attr filter, an internal attribute', async () => {
    const reason = async (t: string) => (await scanBytes('m.gguf', gguf(t))).reason;
    assert.match(await reason(EVASIONS[0]!.template), /looks up an attribute or item by a name the template builds at render time/);
    assert.match(await reason("{{ ''|attr('_'*2 ~ 'class' ~ '_'*2) }}"), /attr filter/);
    assert.match(await reason("{{ (range(1)|map('string')).gi_frame }}"), /internal attribute "gi_frame"/);
    assert.match(await reason("{{ x['_module'] }}"), /internal attribute "_module"/);
    assert.match(await reason('{{ messages[i] }}'), /a key taken from render-time input/);
  });

  for (const [name, template] of Object.entries(BENIGN_TEMPLATES)) {
    it(`an ordinary chat template is safe: ${name}`, async () => {
      const r = await scanBytes('model.gguf', gguf(template));
      assert.equal(r.verdict, 'safe', `${r.verdict}: ${r.reason}`);
      assert.match(r.reason, /chat template reaches no Python internals/);
    });
  }

  it('literal, numeric and slice keys are plain lookups; a str key the template builds is dangerous, one from render-time input suspicious', async () => {
    const plain = [
      "{{ messages[0]['content'] }}", '{{ messages[1:] }}', '{{ messages[::-1] }}', '{{ messages[-1].role }}',
      '{% for m in messages %}{{ messages[loop.index0 + 1] }}{{ messages[loop.index0 - 1] }}{% endfor %}',
      '{{ messages[(messages|length) - 1] }}', '{{ messages[i|int] }}', "{{ m.content.split('</think>')[-1] }}",
      "{{ '{} and {}'.format(a, b) }}", "{{ x|sort(attribute='a.b')|map(attribute='name')|join(', ') }}",
    ];
    for (const t of plain) assert.equal((await scanBytes('m.gguf', gguf(t))).verdict, 'safe', t);
    // A key the template assembles from its own strings, directly or through names it binds: dangerous.
    const built = [
      "{{ x[a ~ '_'] }}", "{{ x['_' * 2] }}", "{{ x[a or '_'] }}", "{% set k = '_' * 2 %}{{ x[k ~ 'class' ~ k] }}",
      "{% for k in ['_' * 2] %}{{ x[k ~ 'class' ~ k] }}{% endfor %}", "{% set k %}_{% endset %}{{ x[k ~ k ~ 'class' ~ k ~ k] }}",
      "{% with k = ['_', '_']|join %}{{ x[k] }}{% endwith %}",
    ];
    for (const t of built) assert.equal((await scanBytes('m.gguf', gguf(t))).verdict, 'dangerous', t);
    // A key taken only from what the renderer passes (tool-use templates map a schema's type through a table):
    // doubted, not condemned.
    const fromInput = [
      '{{ x[a ~ b] }}', '{{ x[a * 2] }}', '{{ x[y|first] }}', '{{ x[f()] }}',
      "{% macro py_type(json_spec) %}{% set basic_type_map = {'string': 'str', 'number': 'float'} %}{{ basic_type_map[json_spec.type] }}{% endmacro %}{{ py_type(tool) }}",
    ];
    for (const t of fromInput) assert.equal((await scanBytes('m.gguf', gguf(t))).verdict, 'suspicious', t);
  });

  it('a named template (tokenizer.chat_template.<name>) is checked as well', async () => {
    const r = await scanBytes('model.gguf', gguf(EVASIONS[1]!.template, 'tokenizer.chat_template.tool_use'));
    assert.equal(r.verdict, 'dangerous', r.reason);
    assert.match(r.reason, /^tokenizer\.chat_template\.tool_use /);
  });

  it('a template the scanner cannot parse as Jinja is suspicious, not safe', async () => {
    for (const t of UNPARSEABLE_TEMPLATES) {
      const r = await scanBytes('model.gguf', gguf(t));
      assert.equal(r.verdict, 'suspicious', `${t}: ${r.verdict} ${r.reason}`);
      assert.match(r.reason, /is not Jinja the scanner can parse/);
    }
  });
});
