// The GraphQL queries the graph view sends, and how each answer becomes {nodes, links} to draw.
// Kept apart from the page so the drawing code does not know the API's shape.
window.AISPM_QUERIES = {
  search: "query($text: String!, $first: Int) { search(text: $text, first: $first) { edges { node { key kind name label } } } }",
  searchNodes: (data) => data.search.edges.map((e) => e.node),

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

  blastRadius: "query($from: ID!, $maxDepth: Int, $first: Int) { start: node(key: $from) { key kind label } blastRadius(from: $from, maxDepth: $maxDepth, first: $first) { total edges { node { key kind label depth path } } } }",
  blastGraph(data, key) {
    if (!data.start) throw new Error("no node " + key);
    const nodes = [{ key: data.start.key, kind: data.start.kind, label: data.start.label, depth: 0 }];
    const links = [];
    for (const { node: n } of data.blastRadius.edges) {
      nodes.push({ key: n.key, kind: n.kind, label: n.label, depth: n.depth });
      // The path's last step: how compromise arrived here.
      if (n.path.length >= 2) links.push({ from: n.path[n.path.length - 2], to: n.key, kind: "reaches" });
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
};
