/**
 * A single-file HTML report of a results view: the plots (inline SVG), the tables and the facts,
 * with a small inline stylesheet, no script and no external reference, so it opens anywhere and
 * can be archived or e-mailed with the paper's analysis.
 */
import type { Results } from '../../core/pipeline/results.ts';

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1b1f24;margin:2rem auto;max-width:70rem;padding:0 1rem}
h1{font-size:1.5rem;margin:0 0 .3rem}h4{font-size:1.05rem;margin:1.4rem 0 .4rem}
dl{display:grid;grid-template-columns:repeat(auto-fit,minmax(14rem,1fr));gap:.2rem 1rem}dl div{display:flex;gap:.4rem}dt{font-weight:600}dd{margin:0}
figure{margin:0 0 .8rem;border:1px solid #d5dbe1;border-radius:8px;padding:.4rem .5rem;break-inside:avoid}figcaption{font-size:.85rem;color:#3a434d}
svg{width:100%;height:auto;display:block}
.plots{display:grid;grid-template-columns:repeat(auto-fit,minmax(26rem,1fr));gap:.8rem;align-items:start}.stack{display:flex;flex-direction:column;gap:.6rem}.stack dl{display:block;border:1px solid #d5dbe1;border-radius:8px;padding:.4rem .6rem}
table{border-collapse:collapse;width:100%;font-size:.85rem;margin:.4rem 0 1rem}caption{text-align:left;color:#555f6a;font-size:.82rem}
th,td{padding:.2rem .5rem;border-bottom:1px solid #d5dbe1;text-align:left;font-variant-numeric:tabular-nums}thead th{background:#f3f6f9}
summary{font-weight:600}li{margin:.15rem 0}.meta{color:#555f6a;font-size:.85rem}
`;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

export function reportHtml(root: HTMLElement, results: Results, source: string): string {
  const clone = root.cloneNode(true) as HTMLElement;
  clone.querySelectorAll('button, [data-testid="rv-downloads"], [role="group"][aria-label^="Download"]').forEach((e) => e.remove());
  clone.querySelectorAll('details').forEach((d) => d.setAttribute('open', ''));
  clone.querySelectorAll('svg').forEach((s) => s.setAttribute('xmlns', 'http://www.w3.org/2000/svg'));
  clone.querySelectorAll('[data-testid]').forEach((e) => e.removeAttribute('data-testid'));
  const title = `ddmvpa results: ${results.subjects.length} subject${results.subjects.length === 1 ? '' : 's'}`;
  const when = new Date().toISOString().replace('T', ' ').slice(0, 16);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="meta">From ${escapeHtml(source)} · ddmvpa ${escapeHtml(String(results.provenance.version))} · config ${escapeHtml(results.provenance.config_hash.slice(0, 12))} · seed ${results.provenance.seed} · report made ${when} UTC</p>
${clone.innerHTML}
</body>
</html>
`;
}
