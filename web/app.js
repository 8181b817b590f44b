// saerad viewer front-end: one page, hash routes (#/features, #/feature/ID, #/study/ID, #/upload, #/reviews).
// Every value from the server or the user is put into the page as text (textContent), never as HTML.
'use strict';

const app = document.getElementById('app');
const statusLine = document.getElementById('status');

// el('div', {class: 'x', onclick: f}, 'text', child, [children]) → element; strings become text nodes.
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key === 'class') node.className = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  const add = (child) => {
    if (child === undefined || child === null || child === false) return;
    if (Array.isArray(child)) child.forEach(add);
    else node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  };
  children.forEach(add);
  return node;
}

function show(...nodes) { app.replaceChildren(...nodes.flat().filter((n) => n !== null && n !== undefined && n !== false)); }
function errorBox(message) { return el('p', {class: 'error', role: 'alert'}, message); }
const fmt = (x, digits = 3) => (x === null || x === undefined || Number.isNaN(x)) ? '—' : Number(x).toFixed(digits);
const pct = (x) => (x === null || x === undefined) ? '—' : (100 * x).toFixed(x < 0.01 ? 3 : 1) + '%';
const studyHref = (id) => '#/study/' + encodeURIComponent(id);
const featureHref = (id) => '#/feature/' + encodeURIComponent(id);
const thumbSrc = (id, size) => '/thumbs/' + encodeURIComponent(id) + (size ? '?size=' + size : '');

async function api(path, options) {
  const started = performance.now();
  const response = await fetch(path, options);
  const text = await response.text();
  let body = null;
  try { body = JSON.parse(text); } catch (e) { body = null; }
  statusLine.textContent = `${options && options.method || 'GET'} ${path.split('?')[0]} → ${response.status} in ` +
    `${(performance.now() - started).toFixed(0)} ms`;
  if (!response.ok) throw new Error((body && body.error) || `HTTP ${response.status}`);
  return body;
}

// ---- reviewer (asked once, kept in localStorage) -------------------------------------------------------
const reviewerKey = 'saerad.reviewer';
function reviewer() { return localStorage.getItem(reviewerKey) || ''; }
function showReviewer() { document.getElementById('reviewer-name').textContent = reviewer() || 'not set'; }
function askReviewer() {
  return new Promise((resolve) => {
    const dialog = document.getElementById('name-dialog');
    const input = document.getElementById('name-input');
    input.value = reviewer();
    dialog.addEventListener('close', () => {
      const name = input.value.trim();
      if (name) localStorage.setItem(reviewerKey, name);
      showReviewer();
      resolve(reviewer());
    }, {once: true});
    dialog.showModal();
    input.focus();
  });
}
async function ensureReviewer() { return reviewer() || await askReviewer(); }
document.getElementById('reviewer').addEventListener('click', askReviewer);

function newSubmissionId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

// Verdict buttons for one reviewable item; `state` collects {verdict, comment} for submission.
function verdictControls(choices, state) {
  const buttons = choices.map((v) => el('button', {type: 'button', 'data-verdict': v, onclick: (e) => {
    e.stopPropagation();
    state.verdict = state.verdict === v ? null : v;
    buttons.forEach((b) => b.classList.toggle('on', b.dataset.verdict === state.verdict));
  }}, v));
  const comment = el('input', {class: 'comment', type: 'text', maxlength: 2000, placeholder: 'comment (optional)',
    onclick: (e) => e.stopPropagation(), oninput: (e) => { state.comment = e.target.value; }});
  return el('div', {class: 'review-controls'}, el('span', {class: 'verdicts'}, buttons), comment);
}

async function submitReviews(items, resultNode) {
  const reviews = items.filter((i) => i.state.verdict).map((i) => ({...i.fields, verdict: i.state.verdict,
    comment: i.state.comment || ''}));
  if (!reviews.length) { resultNode.replaceChildren(errorBox('Mark at least one item first.')); return; }
  const name = await ensureReviewer();
  if (!name) { resultNode.replaceChildren(errorBox('A reviewer name is needed.')); return; }
  try {
    const result = await api('/api/reviews', {method: 'POST', headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({reviewer: name, submission_id: newSubmissionId(), reviews})});
    resultNode.replaceChildren(el('span', {class: 'notice', 'data-stored': result.stored},
      `Stored ${result.stored} review${result.stored === 1 ? '' : 's'} as ${name}.`));
  } catch (e) { resultNode.replaceChildren(errorBox(e.message)); }
}

// ---- feature browser -----------------------------------------------------------------------------------
async function featuresPage(params) {
  const q = params.get('q') || '', sort = params.get('sort') || 'id', interp = params.get('interpretable') || '';
  const page = Math.max(1, parseInt(params.get('page') || '1', 10) || 1);
  const go = (changes) => {
    const next = new URLSearchParams({q, sort, interpretable: interp, page: String(page), ...changes});
    for (const [k, v] of [...next]) if (!v || (k === 'page' && v === '1')) next.delete(k);
    location.hash = '#/features?' + next.toString();
  };
  const search = el('input', {type: 'search', id: 'search', value: q, placeholder: 'Search descriptions (e.g. effusion)',
    'aria-label': 'Search feature descriptions'});
  const form = el('form', {class: 'toolbar', onsubmit: (e) => { e.preventDefault(); go({q: search.value, page: '1'}); }},
    search,
    el('select', {id: 'sort', 'aria-label': 'Sort', onchange: (e) => go({sort: e.target.value, page: '1'})},
      [['id', 'Feature id'], ['density', 'Density'], ['score', 'Description score'], ['enrichment', 'Label enrichment']]
        .map(([v, label]) => el('option', {value: v, selected: v === sort}, 'Sort: ' + label))),
    el('select', {id: 'interpretable', 'aria-label': 'Interpretable', onchange: (e) => go({interpretable: e.target.value, page: '1'})},
      [['', 'All features'], ['true', 'Interpretable'], ['false', 'Not interpretable']]
        .map(([v, label]) => el('option', {value: v, selected: v === interp}, label))),
    el('button', {type: 'submit', class: 'primary'}, 'Search'));
  show(el('h1', {}, 'Features'), form, el('p', {class: 'muted'}, 'Loading…'));
  const query = new URLSearchParams({q, sort, page: String(page), page_size: '50'});
  if (interp) query.set('interpretable', interp);
  const started = performance.now();
  let data;
  try { data = await api('/api/features?' + query); } catch (e) { show(el('h1', {}, 'Features'), form, errorBox(e.message)); return; }
  const ms = performance.now() - started;
  const rows = data.items.map((f) => el('tr', {class: 'feature-row', 'data-id': f.id, onclick: () => { location.hash = featureHref(f.id); }},
    el('td', {class: 'num'}, el('a', {href: featureHref(f.id)}, '#' + f.id)),
    el('td', {}, f.description || el('span', {class: 'muted'}, f.interpretable ? '(no description)' : 'not interpretable')),
    el('td', {class: 'num'}, pct(f.density)),
    el('td', {class: 'num'}, fmt(f.description_score, 2)),
    el('td', {}, f.enrichment ? `${f.enrichment.label} (${fmt(f.enrichment.log_odds, 2)})` : '—')));
  const pager = el('div', {class: 'pager'},
    el('button', {type: 'button', id: 'prev', disabled: page <= 1, onclick: () => go({page: String(page - 1)})}, '← Previous'),
    el('span', {}, `Page ${data.page} of ${Math.max(1, data.pages)}`),
    el('button', {type: 'button', id: 'next', disabled: page >= data.pages, onclick: () => go({page: String(page + 1)})}, 'Next →'));
  show(el('h1', {}, 'Features'), form,
    el('p', {class: 'muted', id: 'result-count'}, `${data.total.toLocaleString()} features match · ${ms.toFixed(0)} ms`),
    el('table', {id: 'feature-table'},
      el('thead', {}, el('tr', {}, el('th', {class: 'num'}, 'Id'), el('th', {}, 'Description'), el('th', {class: 'num'}, 'Density'),
        el('th', {class: 'num'}, 'Score'), el('th', {}, 'Top label (log odds)'))),
      el('tbody', {}, rows)),
    pager);
}

// ---- feature page --------------------------------------------------------------------------------------
function histogramView(h) {
  if (!h || !Array.isArray(h.counts) || !h.counts.length) return el('p', {class: 'muted'}, 'No histogram stored.');
  const max = Math.max(1, ...h.counts);
  const bars = h.counts.map((c, i) => {
    const bar = el('div', {title: `bin ${i}: ${c}`});
    bar.style.height = (100 * c / max) + '%';
    return bar;
  });
  return el('div', {}, el('div', {class: 'histogram', id: 'histogram'}, bars),
    el('div', {class: 'axis'}, el('span', {}, `10^${fmt(h.log10_min, 1)}`), el('span', {}, 'activation (log scale)'),
      el('span', {}, `10^${fmt(h.log10_max, 1)}`)));
}

function enrichmentView(enrichment) {
  const rows = Object.entries(enrichment || {}).map(([label, e]) => ({label, ...(typeof e === 'object' ? e : {log_odds: e})}))
    .sort((a, b) => (b.log_odds || 0) - (a.log_odds || 0));
  if (!rows.length) return el('p', {class: 'muted'}, 'No label enrichment stored.');
  const max = Math.max(1e-9, ...rows.map((r) => Math.abs(r.log_odds || 0)));
  return el('div', {id: 'enrichment'}, rows.map((r) => {
    const bar = el('div', {class: 'bar' + ((r.log_odds || 0) < 0 ? ' warm' : '')});
    bar.style.width = (100 * Math.abs(r.log_odds || 0) / max) + '%';
    return el('div', {class: 'bar-row'}, el('span', {class: 'label', title: r.label}, r.label), bar,
      el('span', {class: 'num small'}, `${fmt(r.log_odds, 2)} · ${pct(r.top_rate)} vs ${pct(r.base_rate)}`));
  }));
}

async function featurePage(id) {
  show(el('p', {class: 'muted'}, 'Loading feature…'));
  let f;
  try { f = await api('/api/features/' + encodeURIComponent(id)); } catch (e) { show(errorBox(e.message)); return; }
  const state = {};
  const result = el('span', {});
  const review = el('div', {class: 'card', id: 'feature-review'}, el('h3', {}, 'Do you agree with this description?'),
    verdictControls(['agree', 'disagree'], state),
    el('div', {class: 'row'}, result, el('button', {type: 'button', class: 'primary', id: 'submit-feature-review',
      onclick: () => submitReviews([{state, fields: {kind: 'feature', feature_id: f.id}}], result)}, 'Submit review')));
  const examples = f.examples.map((ex) => el('div', {class: 'card example', 'data-study': ex.study_id},
    ex.has_image ? el('a', {href: studyHref(ex.study_id)}, el('img', {src: thumbSrc(ex.study_id), alt: 'study ' + ex.study_id, loading: 'lazy'})) : null,
    el('div', {}, el('a', {href: studyHref(ex.study_id), class: 'study-link'}, ex.study_id),
      el('span', {class: 'muted small'}, ` · rank ${ex.rank + 1} · activation ${fmt(ex.activation, 3)}`)),
    el('div', {class: 'sentences'}, ex.sentences.length ? ex.sentences.map((s) => [s.match ? el('mark', {}, s.text) : s.text, ' '])
      : el('span', {class: 'muted'}, ex.known_study ? 'No report text.' : 'Study not in studies.csv.'))));
  show(el('p', {class: 'muted small'}, el('a', {href: '#/features'}, '← Features')),
    el('h1', {id: 'feature-title'}, `Feature #${f.id}`),
    el('div', {class: 'card'},
      el('p', {id: 'feature-description'}, f.description || el('span', {class: 'muted'}, f.interpretable === false ? 'Not interpretable' : 'Not described yet')),
      el('dl', {class: 'meta'},
        el('dt', {}, 'Interpretable'), el('dd', {}, el('span', {class: 'pill ' + (f.interpretable ? 'yes' : 'no')}, f.interpretable === null ? 'not described' : (f.interpretable ? 'yes' : 'no'))),
        el('dt', {}, 'Describer'), el('dd', {}, f.describer || '—'),
        el('dt', {}, 'Model'), el('dd', {}, f.describer_model || '—'),
        el('dt', {}, 'Prompt version'), el('dd', {}, f.prompt_version || '—'),
        el('dt', {}, 'Description score (AUROC)'), el('dd', {}, fmt(f.description_score, 3)),
        el('dt', {}, 'Density'), el('dd', {}, pct(f.density)),
        el('dt', {}, 'Mean activation'), el('dd', {}, fmt(f.mean_activation, 3)))),
    review,
    el('div', {class: 'two-col'}, el('div', {class: 'card'}, el('h2', {}, 'Activation histogram'), histogramView(f.histogram)),
      el('div', {class: 'card'}, el('h2', {}, 'Label enrichment among top examples'), enrichmentView(f.enrichment))),
    el('h2', {}, `Top-activating studies (${f.examples.length})`),
    el('p', {class: 'muted small'}, 'Highlighted: report sentences that share the description’s words.'),
    el('div', {class: 'grid', id: 'examples'}, examples));
}

// ---- study / report page -------------------------------------------------------------------------------
async function featurePanel(panel, feature) {
  panel.replaceChildren(el('div', {class: 'feature-chip'}, el('a', {href: featureHref(feature.id)}, '#' + feature.id),
    ' ', feature.description, el('div', {class: 'muted small'}, 'importance ' + fmt(feature.importance, 3)),
    el('div', {class: 'mini-thumbs'}, el('span', {class: 'muted small'}, 'loading examples…'))));
  try {
    const f = await api('/api/features/' + feature.id);
    const thumbs = f.examples.slice(0, 6).map((ex) => el('a', {href: studyHref(ex.study_id), title: ex.study_id},
      ex.has_image ? el('img', {src: thumbSrc(ex.study_id, 112), alt: ex.study_id}) : ex.study_id));
    panel.querySelector('.mini-thumbs').replaceChildren(...(thumbs.length ? thumbs : [el('span', {class: 'muted small'}, 'no examples')]));
  } catch (e) { panel.querySelector('.mini-thumbs').replaceChildren(errorBox(e.message)); }
}

function reportView(study, report, index, panel) {
  const items = [];
  const result = el('span', {});
  const sentences = report.provenance.map((p, i) => {
    const state = {};
    items.push({state, fields: {kind: 'sentence', study_id: study.study_id, composer: report.composer || '',
      sentence_index: i, sentence: p.sentence}});
    const node = el('div', {class: 'sentence', 'data-index': i, tabindex: 0, onclick: () => {
      app.querySelectorAll('.sentence.selected').forEach((n) => n.classList.remove('selected'));
      node.classList.add('selected');
      panel.replaceChildren(el('h3', {}, 'Features behind this sentence'),
        ...(p.features.length ? p.features.map((f) => { const box = el('div', {}); featurePanel(box, f); return box; })
          : [el('p', {class: 'muted'}, 'No features recorded.')]));
    }},
    el('div', {}, p.sentence),
    el('div', {class: 'links'}, p.features.length ? ['features: ', p.features.map((f, k) => [k ? ', ' : '',
      el('a', {href: featureHref(f.id), onclick: (e) => e.stopPropagation(), title: f.description}, '#' + f.id)])] : 'no features'),
    verdictControls(['correct', 'partly', 'wrong'], state));
    return node;
  });
  const max = Math.max(1e-9, ...report.importance.map((f) => f.importance));
  const bars = report.importance.slice(0, 12).map((f) => {
    const bar = el('div', {class: 'bar'});
    bar.style.width = (100 * f.importance / max) + '%';
    return el('div', {class: 'bar-row'}, el('a', {class: 'label', href: featureHref(f.id), title: f.description}, `#${f.id} ${f.description}`),
      bar, el('span', {class: 'num small'}, fmt(f.importance, 3)));
  });
  return el('div', {class: 'card report', 'data-report': index},
    el('h2', {}, `Generated report — ${report.composer || 'report'}`),
    el('p', {class: 'muted small'}, report.created ? 'created ' + report.created : ''),
    el('div', {class: 'sentences'}, sentences),
    el('div', {class: 'row'}, result, el('button', {type: 'button', class: 'primary submit-reviews',
      onclick: () => submitReviews(items, result)}, 'Submit sentence reviews')),
    el('h3', {}, 'Feature importance'), el('div', {class: 'importance'}, bars.length ? bars : el('p', {class: 'muted'}, 'none')));
}

function studyView(study, imageNode) {
  const panel = el('div', {class: 'card panel', id: 'feature-panel'}, el('p', {class: 'muted'}, 'Click a sentence to see the features behind it and their examples.'));
  const truth = study.report_sentences && study.report_sentences.length
    ? el('div', {class: 'card', id: 'ground-truth'}, el('h2', {}, 'Ground-truth report'),
        study.indication ? el('p', {class: 'muted small'}, 'Indication: ' + study.indication) : null,
        el('p', {}, study.report_sentences.join(' ')))
    : null;
  const reports = study.reports.map((r, i) => reportView(study, r, i, panel));
  return el('div', {class: 'study'},
    el('div', {}, imageNode || el('p', {class: 'muted card'}, 'No image for this study.'), panel),
    el('div', {}, truth, reports.length ? reports : el('p', {class: 'muted card'}, 'No generated report stored for this study.')));
}

async function studyPage(id) {
  show(el('p', {class: 'muted'}, 'Loading study…'));
  let study;
  try { study = await api('/api/studies/' + encodeURIComponent(id)); } catch (e) { show(errorBox(e.message)); return; }
  const image = study.has_image ? el('img', {class: 'thumb card', id: 'study-image', src: thumbSrc(study.study_id, 768), alt: 'study ' + study.study_id}) : null;
  show(el('h1', {id: 'study-title'}, `Study ${study.study_id}`),
    el('p', {class: 'muted small'}, [study.split ? 'split ' + study.split : '', study.images && study.images.length
      ? ` · images: ${study.images.map((im) => `${im.image_id} (${im.view || '?'})`).join(', ')}` : ''].join('')),
    studyView(study, image));
}

// ---- upload --------------------------------------------------------------------------------------------
async function uploadPage() {
  let health = null;
  try { health = await api('/api/health'); } catch (e) { /* shown below */ }
  const input = el('input', {type: 'file', id: 'upload-file', accept: '.png,.jpg,.jpeg,.dcm,image/png,image/jpeg,application/dicom'});
  const out = el('div', {id: 'upload-result'});
  const drop = el('div', {class: 'drop', id: 'drop'}, el('p', {}, 'Drop a chest X-ray here (PNG, JPEG or DICOM)'), el('p', {}, 'or '), input);
  const send = async (file) => {
    if (!file) return;
    out.replaceChildren(el('p', {class: 'muted'}, `Embedding ${file.name} and writing its report…`));
    const form = new FormData();
    form.append('image', file, file.name);
    const started = performance.now();
    try {
      const study = await api('/api/report', {method: 'POST', body: form});
      const total = performance.now() - started;
      const image = el('img', {class: 'thumb card', id: 'upload-image', alt: file.name});
      image.src = URL.createObjectURL(file);
      out.replaceChildren(el('h2', {id: 'upload-title'}, `Report for ${file.name}`),
        el('p', {class: 'muted small', id: 'upload-timing'}, `${study.width}×${study.height} · report in ${fmt(study.timing_ms.report, 0)} ms on the server, ` +
          `${total.toFixed(0)} ms upload-to-report`), studyView(study, image));
    } catch (e) { out.replaceChildren(errorBox(e.message)); }
  };
  input.addEventListener('change', () => send(input.files[0]));
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => { e.preventDefault(); drop.classList.remove('over'); send(e.dataTransfer.files[0]); });
  show(el('h1', {}, 'Upload an image'),
    health && !health.upload ? errorBox('Uploads are off: start `saerad serve` with --sae and an encoder.') : null,
    health ? el('p', {class: 'muted small'}, `Encoder ${health.encoder} · SAE ${health.sae} · limit ${(health.upload_limit_bytes / 1048576).toFixed(0)} MB`) : null,
    drop, out);
}

// ---- reviews -------------------------------------------------------------------------------------------
async function reviewsPage() {
  let summary;
  try { summary = await api('/api/reviews/summary'); } catch (e) { show(errorBox(e.message)); return; }
  show(el('h1', {}, 'Reviews'),
    el('p', {}, `${summary.total} reviews stored. `, el('a', {class: 'btn', id: 'export-csv', href: '/api/reviews.csv', download: 'reviews.csv'}, 'Export CSV')),
    el('table', {id: 'reviewer-counts'},
      el('thead', {}, el('tr', {}, el('th', {}, 'Reviewer'), el('th', {class: 'num'}, 'Sentences'), el('th', {class: 'num'}, 'Features'), el('th', {class: 'num'}, 'Total'))),
      el('tbody', {}, summary.reviewers.map((r) => el('tr', {}, el('td', {}, r.reviewer), el('td', {class: 'num'}, r.sentences),
        el('td', {class: 'num'}, r.features), el('td', {class: 'num'}, r.total))))));
}

// ---- router --------------------------------------------------------------------------------------------
function route() {
  const hash = location.hash.replace(/^#/, '') || '/features';
  const [path, query] = hash.split('?');
  const parts = path.split('/').filter(Boolean).map((p) => { try { return decodeURIComponent(p); } catch (e) { return p; } });
  document.querySelectorAll('nav a').forEach((a) => a.classList.toggle('active', a.dataset.nav === (parts[0] === 'feature' ? 'features' : parts[0])));
  window.scrollTo(0, 0);
  if (parts[0] === 'feature' && parts[1] !== undefined) return featurePage(parts[1]);
  if (parts[0] === 'study' && parts[1] !== undefined) return studyPage(parts[1]);
  if (parts[0] === 'upload') return uploadPage();
  if (parts[0] === 'reviews') return reviewsPage();
  return featuresPage(new URLSearchParams(query || ''));
}

window.addEventListener('hashchange', route);
showReviewer();
route();
