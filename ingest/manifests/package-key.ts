/** The Package key of a registry package by its ecosystem's own name (`@scope/name` for npm), as every source writes it. */
import { KeyError, packageKey } from '../../schema/keys.ts';

/** `pkg:npm/%40scope/name@1.0.0`, `pkg:pypi/torch-audio@2.1.0`; undefined when the parts make no valid key. */
export function registryPackageKey(ecosystem: string, name: string, version: string): string | undefined {
  const scoped = ecosystem === 'npm' && name.startsWith('@') ? name.split('/') : undefined;
  try {
    if (scoped) return scoped.length === 2 && scoped[1] ? packageKey('npm', scoped[1], version, [scoped[0]!]) : undefined;
    return packageKey(ecosystem, name, version);
  } catch (err) {
    if (err instanceof KeyError) return undefined;
    throw err;
  }
}
