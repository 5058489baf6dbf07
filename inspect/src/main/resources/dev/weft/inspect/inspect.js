// Draws the runtime's graph with Cytoscape.js: polls /api/graph every second, and at once when
// /api/events says something changed. window.cy is the Cytoscape instance (tests read it).
// Opened as /?token=T, the page sends T with every data request (a bearer header where it can).
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
      { selector: 'node.backlog', style: { 'border-width': 3, 'border-color': '#e8590c' } },
      { selector: ':parent', style: {
          'text-valign': 'top', 'text-halign': 'center', 'background-opacity': 0.35,
          'background-color': '#cfd8e3', 'border-style': 'dashed' } },
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
  window.weftInspector = { refreshes: 0, lastError: null };

  let latest = null;
  let laidOut = false;
  let selected = null;

  const simple = (type) => type.substring(type.lastIndexOf('.') + 1).replace(/\$/g, '.');
  const nodeId = (componentId) => 'c' + componentId;
  const rateText = (r) => r === undefined ? '' : (r >= 100 ? r.toFixed(0) : r.toFixed(1)) + '/s';
  const capText = (c) => c < 0 ? '∞' : String(c);

  function toElements(doc) {
    const g = doc.graph;
    const rates = doc.rates;
    const live = new Map(g.components.map(c => [c.id, c]));
    const inbox = (ref) => {
      const c = ref && live.get(ref.component);
      return c ? c.inboxes.find(b => b.name === ref.box) : undefined;
    };
    const elements = [];
    for (const c of g.components) {
      const depth = c.inboxes.reduce((sum, b) => sum + b.depth, 0);
      const full = c.inboxes.some(b => b.capacity > 0 && b.depth >= b.capacity);
      elements.push({ group: 'nodes', data: {
          id: nodeId(c.id), componentId: c.id, name: c.name, type: c.type, state: c.state,
          depth: depth, parent: c.parent !== null && live.has(c.parent) ? nodeId(c.parent) : undefined,
          label: c.name + '\n' + simple(c.type) + ' · ' + (c.parked ? 'waiting' : c.state.toLowerCase())
              + (depth > 0 ? '\nqueued ' + depth : '') },
        classes: (c.parked ? 'parked' : '') + (full ? ' backlog' : '') });
    }
    for (const l of g.links) {
      if (!live.has(l.from.component) || !live.has(l.to.component)) continue;
      const kind = l.kind;
      const id = kind + ':' + l.from.component + '/' + l.from.box + '->' + l.to.component + '/' + l.to.box;
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
          id: id, kind: kind, source: nodeId(l.from.component), target: nodeId(l.to.component),
          fromBox: l.from.box, toBox: l.to.box, depth: depth, label: label }, classes: classes.trim() });
    }
    for (const s of g.services) {
      if (!live.has(s.inbox.component)) continue;
      elements.push({ group: 'nodes', data: { id: 'service:' + s.name, name: s.name, label: s.name }, classes: 'service' });
      elements.push({ group: 'edges', data: { id: 'service:' + s.name + '->' + s.inbox.component,
          kind: 'SERVICE', source: 'service:' + s.name, target: nodeId(s.inbox.component), toBox: s.inbox.box,
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
        const want = wanted.get(el.id());
        const parentMoved = want && el.isNode() && (el.data('parent') || undefined) !== want.data.parent;
        if (!want || parentMoved) { el.remove(); changed = true; }
      });
      for (const e of elements.filter(e => e.group === 'nodes')) {
        const el = cy.getElementById(e.data.id);
        if (el.empty()) { cy.add(e); changed = true; } else { el.data(e.data); el.classes(e.classes); }
      }
      for (const e of elements.filter(e => e.group === 'edges')) {
        const el = cy.getElementById(e.data.id);
        if (el.empty()) { cy.add(e); changed = true; } else { el.data(e.data); el.classes(e.classes); }
      }
    });
    if (changed) {
      // An edge from a composite to its own child pulls the compound apart; lay out without those.
      const inner = cy.edges().filter(e => e.target().ancestors().contains(e.source()));
      cy.elements().difference(inner).layout({ name: 'cose', fit: false, animate: false, nodeDimensionsIncludeLabels: true, padding: 30,
                  randomize: !laidOut, numIter: 2500, idealEdgeLength: () => 100, nodeRepulsion: () => 16000,
                  nodeOverlap: 20, nestingFactor: 1, gravity: 0.4, gravityCompound: 3, gravityRangeCompound: 1.5,
                  componentSpacing: 60 }).run();
      cy.fit(undefined, 30);
      laidOut = true;
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
    const later = () => { if (soon === null) soon = setTimeout(() => { soon = null; refresh(); }, 100); };
    ['Spawned', 'Ended', 'LinkChanged', 'overflow'].forEach(name => events.addEventListener(name, later));
  }
  refresh();
  setInterval(refresh, POLL_MS);
})();
