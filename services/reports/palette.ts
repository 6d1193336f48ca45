/** One colour per node kind, shared by the HTML report and the graph view so a kind looks the same everywhere. */
import { NODE_KINDS, type NodeKind } from '../../schema/model.ts';

export const KIND_COLOURS: Readonly<Record<NodeKind, string>> = {
  Model: '#4c6ef5',
  Dataset: '#2f9e44',
  Endpoint: '#e8590c',
  Repository: '#5f3dc4',
  Package: '#1098ad',
  Identity: '#c2255c',
  Vulnerability: '#e03131',
  File: '#868e96',
};

export function colourOf(kind: string): string {
  return (NODE_KINDS as readonly string[]).includes(kind) ? KIND_COLOURS[kind as NodeKind] : '#495057';
}
