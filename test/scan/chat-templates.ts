/**
 * Chat templates for the GGUF template check, shared with the jinja2 cross-check. The benign ones are written in
 * the shape of the templates popular models ship (ChatML, Llama-, Mistral-, Gemma- and reasoning-model styles:
 * message loops, role checks, raise_exception, namespace(), tojson, selectattr on literal names, slices); the
 * evasions are the ways the scanner's audit and its review found to build an attribute name at render time. Each
 * evasion's `renders` is what a plain jinja2 Environment prints for it (the cross-check confirms it): proof that
 * it reaches Python internals. Nothing here is ever rendered by the scanner.
 */

export const BENIGN_TEMPLATES: Readonly<Record<string, string>> = {
  'chatml': `{%- for message in messages %}
{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}
{%- endfor %}
{%- if add_generation_prompt %}
{{- '<|im_start|>assistant\\n' }}
{%- endif %}
`,
  'llama-style': `{{- bos_token }}
{#- Pull the system prompt out of the first message, if there is one #}
{%- if messages[0]['role'] == 'system' %}
  {%- set system_message = messages[0]['content']|trim %}
  {%- set messages = messages[1:] %}
{%- else %}
  {%- set system_message = "" %}
{%- endif %}
{%- set ns = namespace(last_user=-1, seen_tool=false) %}
{%- for message in messages %}
  {%- if message.role == 'user' %}{%- set ns.last_user = loop.index0 %}{%- endif %}
{%- endfor %}
{{- '<|start_header_id|>system<|end_header_id|>\\n\\n' + system_message }}
{%- if tools is defined and tools is not none and tools|length > 0 %}
  {{- 'You may call one of these functions:\\n' }}
  {%- for t in tools %}{{- t | tojson(indent=2) + '\\n\\n' }}{%- endfor %}
{%- endif %}
{{- '<|eot_id|>' }}
{%- for message in messages %}
  {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) and message['role'] != 'tool' %}
    {{- raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}
  {%- endif %}
  {%- if message.tool_calls is defined and message.tool_calls %}
    {%- for call in message.tool_calls %}
      {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n{"name": "' + call.function.name + '", "parameters": ' + call.function.arguments|tojson + '}<|eot_id|>' }}
      {%- for arg_name, arg_val in call.function.arguments | items %}{{- '' }}{%- endfor %}
    {%- endfor %}
  {%- else %}
    {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content']|trim + '<|eot_id|>' }}
  {%- endif %}
  {%- if loop.last and message.role == 'assistant' and loop.index0 > ns.last_user %}{%- set ns.seen_tool = true %}{%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
  {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}
{%- endif %}
`,
  'mistral-style': `{%- if messages[0]['role'] == 'system' %}
  {%- set system_message = messages[0]['content'] %}
  {%- set loop_messages = messages[1:] %}
{%- else %}
  {%- set loop_messages = messages %}
{%- endif %}
{%- set user_messages = loop_messages | selectattr('role', 'equalto', 'user') | list %}
{{- bos_token }}
{%- for message in loop_messages | rejectattr('role', 'equalto', 'tool') %}
  {%- if message['role'] == 'user' %}
    {%- if loop.last and system_message is defined %}
      {{- '[INST] ' + system_message + '\\n\\n' + message['content'] + '[/INST]' }}
    {%- else %}
      {{- '[INST] ' + message['content'] + '[/INST]' }}
    {%- endif %}
  {%- elif message['role'] == 'assistant' %}
    {{- ' ' + message['content'] | trim + eos_token }}
    {%- if not loop.last and loop_messages[loop.index0 + 1]['role'] != 'user' %}
      {{- raise_exception('After an assistant message comes a user message') }}
    {%- endif %}
  {%- else %}
    {{- raise_exception('Only user and assistant roles are supported, after an optional system message!') }}
  {%- endif %}
{%- endfor %}
`,
  'gemma-style': `{{ bos_token }}
{%- for message in messages -%}
  {%- set role = 'model' if message['role'] == 'assistant' else message['role'] -%}
  {{- '<start_of_turn>' + role + '\\n' -}}
  {%- if message['content'] is string -%}
    {{- message['content'] | trim -}}
  {%- else -%}
    {{- message['content'] | selectattr('type', 'equalto', 'text') | map(attribute='text') | join('\\n') -}}
  {%- endif -%}
  {{- '<end_of_turn>\\n' -}}
{%- endfor -%}
{%- if add_generation_prompt -%}{{- '<start_of_turn>model\\n' -}}{%- endif -%}
`,
  'reasoning-style': `{%- macro render(content) -%}
  {%- if content is string -%}{{ content }}{%- else -%}{%- for part in content -%}{{ part.text }}{%- endfor -%}{%- endif -%}
{%- endmacro -%}
{%- set ns = namespace(system_prompt='', turns=0) -%}
{%- for message in messages -%}
  {%- if message['role'] == 'system' -%}{%- set ns.system_prompt = ns.system_prompt + render(message['content']) -%}{%- endif -%}
{%- endfor -%}
{{- bos_token + ns.system_prompt -}}
{%- for message in messages | rejectattr('role', 'equalto', 'system') -%}
  {%- set ns.turns = ns.turns + 1 -%}
  {%- if message['role'] == 'user' -%}
    {{- '<｜User｜>' + render(message['content']) -}}
  {%- elif message['role'] == 'assistant' -%}
    {%- set content = render(message['content']) -%}
    {%- if '</think>' in content -%}{%- set content = content.split('</think>')[-1].lstrip('\\n') -%}{%- endif -%}
    {{- '<｜Assistant｜>' + content + '<｜end▁of▁sentence｜>' -}}
  {%- endif -%}
{%- endfor -%}
{%- if add_generation_prompt -%}{{- '<｜Assistant｜><think>\\n' -}}{%- endif -%}
`,
};

export interface Evasion {
  name: string;
  template: string;
  /** What jinja2's plain Environment renders (with x = ''). */
  renders: RegExp;
}

const CLASS = /^<class 'str'>$/;

export const EVASIONS: readonly Evasion[] = [
  { name: 'dunder built with ~ and * at render time (the audit input)', template: "{% set u = '_' * 2 %}{{ (''[u ~ 'class' ~ u][u ~ 'mro' ~ u][1][u ~ 'subclasses' ~ u]())|length }}", renders: /^\d{2,}$/ },
  { name: "'_' ~ '_class_' ~ '_'", template: "{{ ''['_'~'_class_'~'_'] }}", renders: CLASS },
  { name: 'a list joined', template: "{{ ''[['_','_class','__']|join] }}", renders: CLASS },
  { name: '%c formatting of 95', template: "{{ ''['%c%cclass%c%c'|format(95,95,95,95)] }}", renders: CLASS },
  { name: 'string concatenation with +', template: "{{ ''['_' + '_class_' + '_'] }}", renders: CLASS },
  { name: 'replace', template: "{{ ''['xxclassxx'|replace('x','_')] }}", renders: CLASS },
  { name: 'a key from dict(_=1)', template: "{% set k = (dict(_=1)|first) * 2 %}{{ ''[k ~ 'class' ~ k] }}", renders: CLASS },
  { name: 'a dict literal looked up by a built key', template: "{% set d = {'a': 1} %}{{ d[('_' * 2) ~ 'class' ~ ('_' * 2)] }}", renders: /^<class 'dict'>$/ },
  { name: 'the attr filter with a built name', template: "{{ ''|attr('_'*2 ~ 'class' ~ '_'*2) }}", renders: CLASS },
  { name: "map('attr', …)", template: "{{ [''] | map('attr', '_'*2 ~ 'class' ~ '_'*2) | list }}", renders: /^\[<class 'str'>\]$/ },
  { name: 'map(attribute=…) with a built name', template: "{{ [''] | map(attribute='_'*2 ~ 'class' ~ '_'*2) | list }}", renders: /^\[<class 'str'>\]$/ },
  { name: 'selectattr with a built name', template: "{{ [''] | selectattr('_'*2 ~ 'class' ~ '_'*2) | list | length }}", renders: /^1$/ },
  { name: 'str.format reading a built attribute field', template: "{{ ('{0.' ~ '_'*2 ~ 'class' ~ '_'*2 ~ '}').format('') }}", renders: CLASS },
  { name: 'octal escapes', template: "{{ ''['\\137\\137class\\137\\137'] }}", renders: CLASS },
  { name: '\\N{LOW LINE} escapes', template: "{{ ''['\\N{LOW LINE}\\N{LOW LINE}class\\N{LOW LINE}\\N{LOW LINE}'] }}", renders: CLASS },
  { name: 'a dunder after a string holding }}', template: "{{ '}}' ~ ''.__class__ }}", renders: /^\}\}<class 'str'>$/ },
  { name: "a generator's frame (no underscore at all)", template: "{{ (range(1)|map('string')).gi_frame.f_code.co_name }}", renders: /^\w+$/ },
];

/** Jinja that jinja2 refuses or that names tags it does not know: not vouched for. */
export const UNPARSEABLE_TEMPLATES: readonly string[] = [
  '{% for m in messages %}{{ m.content }}{% endfor',
  "{% if messages %}{% exec 'id' %}{% endif %}",
];
