// The GraphQL queries the graph view sends, and how each answer becomes {nodes, links} to draw. Kept apart from
// the page so the drawing code does not know the API's shape. Every link is given as stored (from → to, kind,
// relation); the page turns it round into the compromise direction with the flow table.
window.AISPM_QUERIES = {
  search: "query($text: String!, $first: Int) { search(text: $text, first: $first) { edges { node { key kind name label } } } }",
  searchNodes: (data) => data.search.edges.map((e) => e.node),

  start: "{ endpoints: search(kind: Endpoint, first: 50) { edges { node { key kind label analystTags } } } attackPaths(k: 5, first: 5) { targets entries edges { node { from to risk nodes steps { from to edgeKind relation verb } } } } findings(minSeverity: medium, first: 5) { totalCount edges { node { severity title nodes } } } }",

  details: "query($key: ID!) { node(key: $key) { key kind label name owner url tags analystTags props } }",

  neighbours: "query($key: ID!) { node(key: $key) { key kind label edges(direction: BOTH, first: 200) { edges { node { kind fromKey toKey relation from { key kind label } to { key kind label } } } } } }",
  neighbourGraph(data, key) {
    if (!data.node) throw new Error("no node " + key);
    const nodes = new Map([[data.node.key, { key: data.node.key, kind: data.node.kind, label: data.node.label }]]);
    const links = [];
    for (const { node: e } of data.node.edges.edges) {
      nodes.set(e.from.key, { key: e.from.key, kind: e.from.kind, label: e.from.label });
      nodes.set(e.to.key, { key: e.to.key, kind: e.to.kind, label: e.to.label });
      links.push({ from: e.fromKey, to: e.toKey, kind: e.kind, relation: e.relation });
    }
    return { nodes: [...nodes.values()], links };
  },

  // Hops come in the compromise direction already (from = compromised first), with their words.
  blastRadius: "query($from: ID!, $maxDepth: Int, $first: Int) { start: node(key: $from) { key kind label } blastRadius(from: $from, maxDepth: $maxDepth, first: $first) { total edges { node { key kind label depth via { from to edgeKind relation verb } } } } }",
  blastGraph(data, key) {
    if (!data.start) throw new Error("no node " + key);
    const nodes = [{ key: data.start.key, kind: data.start.kind, label: data.start.label, depth: 0 }];
    const links = [];
    for (const { node: n } of data.blastRadius.edges) {
      nodes.push({ key: n.key, kind: n.kind, label: n.label, depth: n.depth });
      if (n.via) links.push({ source: n.via.from, target: n.via.to, kind: n.via.edgeKind, verb: n.via.verb });
    }
    return { nodes, links, total: data.blastRadius.total };
  },

  path: "query($from: ID!, $to: ID!) { path(from: $from, to: $to) { nodes { key kind label } edges { kind fromKey toKey relation } } }",
  pathGraph(data) {
    if (!data.path) return null;
    return {
      nodes: data.path.nodes.map((n) => ({ key: n.key, kind: n.kind, label: n.label })),
      links: data.path.edges.map((e) => ({ from: e.fromKey, to: e.toKey, kind: e.kind, relation: e.relation })),
    };
  },

  attackPaths: "query($k: Int) { attackPaths(k: $k, first: $k) { totalCount edges { node { from to risk nodes steps { from to edgeKind relation verb } } } } }",
  attackGraph(data) {
    const nodes = new Map();
    const links = [];
    const paths = data.attackPaths.edges.map((e) => e.node);
    for (const p of paths) {
      for (const k of p.nodes) nodes.set(k, { key: k });
      for (const s of p.steps) links.push({ source: s.from, target: s.to, kind: s.edgeKind, verb: s.verb, onPath: true });
    }
    return { nodes: [...nodes.values()], links, paths };
  },

  nodesInfo: "query($keys: [ID!]!) { nodes(keys: $keys) { key kind label } }",

  tag: "mutation($key: ID!, $tag: String!) { tag(key: $key, tag: $tag) { key analystTags } }",
  untag: "mutation($key: ID!, $tag: String!) { untag(key: $key, tag: $tag) { key analystTags } }",
};
