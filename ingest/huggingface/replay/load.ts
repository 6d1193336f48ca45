/** Reads a universe JSON file and wires the named byte builders (pickles, zips, safetensors) it refers to. */
import { readFileSync } from 'node:fs';
import { Universe, type Builders, type UniverseData } from './universe.ts';

export function loadUniverse(path: string, builders: Builders = {}): Universe {
  return new Universe(JSON.parse(readFileSync(path, 'utf8')) as UniverseData, builders);
}
