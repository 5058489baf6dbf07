// Draws the runtime's graph with Cytoscape.js: polls /api/graph every second, and at once when
// /api/events says something changed. window.cy is the Cytoscape instance (tests read it).
// Opened as /?token=T, the page sends T with every data request (a bearer header where it can).
//
// A component with live children is drawn as a box (a compound node) that holds its children and a
// "self" node standing for the component's own boxes: links to and from the component end at the
// self node, so a link between a composite and its child runs inside the box (Cytoscape would draw
// an edge from a compound to its own child as a loop outside the box). The box itself has no label;
// its self node carries it.
//
// Layout: cose places the nodes, then separate() makes sure no node lies over a box it is not in,
// which cose alone does not promise (links into a box pull outside nodes into it). Siblings (the
// children of one box, or the top-level nodes) are taken as blocks: a node, or a box with all it
// holds, with labels. In order of their top-left corners, each block moves right or down, whichever
// is shorter, until it keeps GAP from every block placed before it. Blocks only move right or down,
// so once past a block a block stays past it: each block moves at most once per block before it,
// and the loop ends. A box grows around its children, so the boxes deepest inside go first. It runs
// after every refresh, so a label that grows (a queue that fills) never leaves an overlap behind.
(function () {
  'use strict';
  const POLL_MS = 1000;
  const token = new URLSearchParams(location.search).get('token');
  const withToken = (path) => token === null ? path : path + '?token=' + encodeURIComponent(token);
  const authorization = token === null ? {} : { 'Authorization': 'Bearer ' + token };
  document.querySelectorAll('header nav a').forEach(a => a.setAttribute('href', withToken(a.getAttribute('href'))));
  const statusEl = document.getElementById('status');
  const detailsEl = document.getElementById('details');
  const cy = cytoscape({
    container: document.getElementById('cy'),
    wheelSensitivity: 0.3,
    style: [
      { selector: 'node', style: {
          'label': 'data(label)', 'text-wrap': 'wrap', 'text-valign': 'center', 'font-size': 13,
          'shape': 'round-rectangle', 'width': 'label', 'height': 'label', 'padding': 8,
          'background-color': '#dbe9ff', 'border-width': 1, 'border-color': '#5b8def' } },
      { selector: 'node.parked', style: { 'background-color': '#eef2f6', 'border-color': '#9aa8b6' } },
      { selector: 'node.stuck', style: { 'border-color': '#c0392b', 'border-width': 3 } },
      { selector: 'node.backlog', style: { 'border-width': 3, 'border-color': '#e8590c' } },
      { selector: ':parent', style: {
          'padding': 20, 'background-opacity': 0.35, 'background-color': '#cfd8e3', 'border-color': '#9aa8b6',
          'border-style': 'dashed' } },
      { selector: 'node.self', style: { 'font-weight': 'bold' } },
      { selector: 'node.service', style: {
          'shape': 'diamond', 'background-color': '#ffe8a3', 'border-color': '#c99a06',
          'width': 30, 'height': 30, 'text-valign': 'bottom', 'text-margin-y': 4 } },
      { selector: 'edge', style: {
          'curve-style': 'bezier', 'target-arrow-shape': 'triangle', 'width': 1.5,
          'line-color': '#5b8def', 'target-arrow-color': '#5b8def',
          'label': 'data(label)', 'text-wrap': 'wrap', 'font-size': 11, 'color': '#334',
          'text-background-color': '#f7f9fb', 'text-background-opacity': 0.85, 'text-background-padding': 2 } },
      { selector: 'edge.signal', style: { 'line-color': '#9aa8b6', 'target-arrow-color': '#9aa8b6', 'width': 1 } },
      { selector: 'edge.pass', style: { 'line-style': 'dashed', 'line-color': '#7b61ff', 'target-arrow-color': '#7b61ff' } },
      { selector: 'edge.delivery', style: { 'line-style': 'dotted', 'line-color': '#2f9e44', 'target-arrow-color': '#2f9e44' } },
      { selector: 'edge.service', style: { 'line-style': 'dotted', 'line-color': '#c99a06', 'target-arrow-color': '#c99a06' } },
      { selector: 'edge.backlog', style: { 'width': 3, 'line-color': '#e8590c', 'target-arrow-color': '#e8590c' } },
      { selector: ':selected', style: { 'border-width': 3, 'border-color': '#111' } }
    ]
  });
  window.cy = cy;
  window.weftInspector = { refreshes: 0, lastError: null, eventsOpen: false };

  let latest = null;
  let laidOut = false;
  let selected = null;

  const simple = (type) => type.substring(type.lastIndexOf('.') + 1).replace(/\$/g, '.');
  const GAP = 24;
  const nodeId = (componentId) => 'c' + componentId;
  const selfId = (componentId) => 's' + componentId;
  const rateText = (r) => r === undefined ? '' : (r >= 100 ? r.toFixed(0) : r.toFixed(1)) + '/s';
  const capText = (c) => c < 0 ? '∞' : String(c);

  function toElements(doc) {
    const g = doc.graph;
    const rates = doc.rates;
    const live = new Map(g.components.map(c => [c.id, c]));
    const parentOf = (c) => c.parent !== null && live.has(c.parent) ? c.parent : null;
    const composites = new Set(g.components.map(parentOf).filter(p => p !== null));
    const endOf = (componentId) => composites.has(componentId) ? selfId(componentId) : nodeId(componentId);
    const depthOf = (c) => { let d = 0; for (let p = parentOf(c); p !== null; p = parentOf(live.get(p))) d++; return d; };
    const inbox = (ref) => {
      const c = ref && live.get(ref.component);
      return c ? c.inboxes.find(b => b.name === ref.box) : undefined;
    };
    const elements = [];
    // Parents before children: Cytoscape adds a child only into a box that exists.
    for (const c of g.components.slice().sort((a, b) => depthOf(a) - depthOf(b))) {
      const depth = c.inboxes.reduce((sum, b) => sum + b.depth, 0);
      const full = c.inboxes.some(b => b.capacity > 0 && b.depth >= b.capacity);
      const parent = parentOf(c) === null ? undefined : nodeId(parentOf(c));
      const own = {
          componentId: c.id, name: c.name, type: c.type, state: c.state, depth: depth,
          label: c.name + '\n' + simple(c.type) + ' · ' + (c.parked ? 'waiting' : c.state.toLowerCase())
              + (depth > 0 ? '\nqueued ' + depth : '') };
      const classes = (c.parked ? 'parked' : '') + (full ? ' backlog' : '') + (c.diagnosis ? ' stuck' : '');
      if (composites.has(c.id)) {
        elements.push({ group: 'nodes', data: { id: nodeId(c.id), componentId: c.id, name: c.name, parent: parent, label: '' },
          classes: '' });
        elements.push({ group: 'nodes', data: Object.assign({ id: selfId(c.id), self: true, parent: nodeId(c.id) }, own),
          classes: classes + ' self' });
      } else {
        elements.push({ group: 'nodes', data: Object.assign({ id: nodeId(c.id), parent: parent }, own), classes: classes });
      }
    }
    for (const l of g.links) {
      if (!live.has(l.from.component) || !live.has(l.to.component)) continue;
      const kind = l.kind;
      const source = endOf(l.from.component);
      const target = endOf(l.to.component);
      const id = kind + ':' + source + '/' + l.from.box + '->' + target + '/' + l.to.box;
      let label = l.from.box === '*' ? l.to.box : l.from.box + '→' + l.to.box;
      let classes = kind === 'LINK' ? '' : kind === 'DELIVERY' ? 'delivery' : 'pass';
      let depth = 0;
      if (kind === 'LINK' || kind === 'DELIVERY') {
        let ref = l.to;
        if (kind === 'LINK') {
          const out = live.get(l.from.component).outboxes.find(b => b.name === l.from.box);
          if (out && out.target) ref = out.target;
        }
        const box = inbox(ref);
        if (box) {
          depth = box.depth;
          label += '\n' + box.depth + '/' + capText(box.capacity) + ' ' + rateText(rates[ref.component + '/' + ref.box]);
          if (box.capacity > 0 && box.depth >= box.capacity) classes += ' backlog';
        }
      }
      if (l.from.box === 'signal') classes += ' signal';
      elements.push({ group: 'edges', data: {
          id: id, kind: kind, source: source, target: target,
          fromBox: l.from.box, toBox: l.to.box, depth: depth, label: label }, classes: classes.trim() });
    }
    for (const s of g.services) {
      if (!live.has(s.inbox.component)) continue;
      const target = endOf(s.inbox.component);
      elements.push({ group: 'nodes', data: { id: 'service:' + s.name, name: s.name, label: s.name }, classes: 'service' });
      elements.push({ group: 'edges', data: { id: 'service:' + s.name + '->' + target,
          kind: 'SERVICE', source: 'service:' + s.name, target: target, toBox: s.inbox.box,
          label: s.inbox.box },
          classes: 'service' });
    }
    return elements;
  }

  function apply(elements) {
    const wanted = new Map(elements.map(e => [e.data.id, e]));
    let changed = false;
    cy.batch(() => {
      cy.elements().forEach(el => {
        if (el.removed()) return; // went with a box removed before it
        const want = wanted.get(el.id());
        const parentMoved = want && el.isNode() && (el.data('parent') || undefined) !== want.data.parent;
        if (!want || parentMoved) { el.remove(); changed = true; }
      });
      for (const e of elements) {
        const el = cy.getElementById(e.data.id);
        if (el.empty()) { cy.add(e); changed = true; } else { el.data(e.data); el.classes(e.classes); }
      }
    });
    if (changed) {
      cy.layout({ name: 'cose', fit: false, animate: false, nodeDimensionsIncludeLabels: true, padding: 30,
                  randomize: !laidOut, numIter: 2500, idealEdgeLength: () => 100, nodeRepulsion: () => 16000,
                  nodeOverlap: 20, nestingFactor: 1, gravity: 0.4, gravityCompound: 3, gravityRangeCompound: 1.5,
                  componentSpacing: 60 }).run();
    }
    separate();
    if (changed) {
      cy.fit(undefined, 30);
      laidOut = true;
    }
  }

  function separate() {
    if (cy.nodes(':grabbed').nonempty()) return; // the user is dragging: move nothing under the mouse
    cy.nodes(':parent').sort((a, b) => b.ancestors().length - a.ancestors().length)
        .forEach(box => separateSiblings(box.children()));
    separateSiblings(cy.nodes().orphans());
  }

  function separateSiblings(siblings) {
    const outline = { includeLabels: true, includeOverlays: false, includeUnderlays: false };
    const blocks = siblings.map(n => ({ node: n, bb: n.boundingBox(outline) }))
        .sort((a, b) => (a.bb.x1 + a.bb.y1) - (b.bb.x1 + b.bb.y1));
    const near = (a, b) => a.x1 < b.x2 + GAP && b.x1 < a.x2 + GAP && a.y1 < b.y2 + GAP && b.y1 < a.y2 + GAP;
    const placed = [];
    for (const block of blocks) {
      const bb = { x1: block.bb.x1, y1: block.bb.y1, x2: block.bb.x2, y2: block.bb.y2 };
      for (let moved = true; moved; ) {
        moved = false;
        for (const p of placed) {
          if (!near(bb, p)) continue;
          const right = p.x2 + GAP - bb.x1;
          const down = p.y2 + GAP - bb.y1;
          const dx = right <= down ? right : 0;
          const dy = right <= down ? 0 : down;
          bb.x1 += dx; bb.x2 += dx; bb.y1 += dy; bb.y2 += dy;
          moved = true;
        }
      }
      const dx = bb.x1 - block.bb.x1;
      const dy = bb.y1 - block.bb.y1;
      if (dx !== 0 || dy !== 0) {
        const leaves = block.node.isParent() ? block.node.descendants().filter(n => !n.isParent()) : block.node;
        leaves.shift({ x: dx, y: dy });
      }
      placed.push(bb);
    }
  }

  function showDetails() {
    if (selected === null || latest === null) return;
    const c = latest.graph.components.find(x => x.id === selected);
    if (!c) { detailsEl.innerHTML = '<p class="hint">That component has ended.</p>'; return; }
    const esc = (s) => String(s).replace(/[&<>"]/g, ch => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[ch]);
    const ref = (r) => r ? esc(r.component + '/' + r.box) : '—';
    let html = '<h2>' + esc(c.name) + '</h2><p>' + esc(c.type) + '<br>' + esc(c.state)
        + (c.parked ? ' (waiting for a message)' : '') + '</p>';
    if (c.diagnosis) html += '<p class="diagnosis">Stuck: ' + esc(c.diagnosis) + '</p>';
    html += '<table><tr><th>inbox</th><th>type</th><th>depth</th><th>received</th><th>rate</th></tr>';
    for (const b of c.inboxes) {
      html += '<tr><td>' + esc(b.name) + '</td><td>' + esc(simple(b.messageType)) + '</td><td>' + b.depth + '/'
          + capText(b.capacity) + '</td><td>' + b.received + '</td><td>' + rateText(latest.rates[c.id + '/' + b.name]) + '</td></tr>';
    }
    html += '</table><table><tr><th>outbox</th><th>type</th><th>reaches</th></tr>';
    for (const b of c.outboxes) {
      html += '<tr><td>' + esc(b.name) + '</td><td>' + esc(simple(b.messageType)) + '</td><td>' + ref(b.target) + '</td></tr>';
    }
    html += '</table>';
    const keys = Object.keys(c.details);
    if (keys.length) {
      html += '<table><tr><th>detail</th><th>value</th></tr>'
          + keys.map(k => '<tr><td>' + esc(k) + '</td><td>' + esc(JSON.stringify(c.details[k])) + '</td></tr>').join('')
          + '</table>';
    }
    detailsEl.innerHTML = html;
  }

  cy.on('tap', 'node', (evt) => {
    const id = evt.target.data('componentId');
    if (id !== undefined) { selected = id; showDetails(); }
  });

  let inFlight = false;
  async function refresh() {
    if (inFlight) return;
    inFlight = true;
    try {
      const response = await fetch('api/graph', { cache: 'no-store', headers: authorization });
      if (!response.ok) throw new Error('HTTP ' + response.status + ': ' + (await response.text()).trim());
      latest = await response.json();
      apply(toElements(latest));
      showDetails();
      window.weftInspector.refreshes++;
      window.weftInspector.lastError = null;
      statusEl.className = '';
      statusEl.textContent = latest.graph.components.length + ' components · ' + latest.graph.links.length
          + ' links · ' + latest.graph.services.length + ' services · ' + new Date(latest.graph.takenAtMillis).toLocaleTimeString();
    } catch (e) {
      window.weftInspector.lastError = String(e);
      statusEl.className = 'error';
      statusEl.textContent = 'cannot reach the runtime: ' + e;
    } finally {
      inFlight = false;
    }
  }

  let soon = null;
  if (window.EventSource) {
    const events = new EventSource(withToken('api/events'));
    events.onopen = () => { window.weftInspector.eventsOpen = true; };
    events.onerror = () => { window.weftInspector.eventsOpen = false; };
    const later = () => { if (soon === null) soon = setTimeout(() => { soon = null; refresh(); }, 100); };
    ['Spawned', 'Ended', 'LinkChanged', 'overflow'].forEach(name => events.addEventListener(name, later));
  }
  refresh();
  setInterval(refresh, POLL_MS);
})();
