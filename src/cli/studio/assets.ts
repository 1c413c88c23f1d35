/**
 * The studio's static assets, served at `/assets/studio.css` and `/assets/studio.js`: the whole of
 * what the browser loads besides the HTML. No framework: the pages work without the script, which
 * only filters the flags table as you type. A build entry of its own (`dist/cli/studio/assets.js`),
 * so that `npm run size` reports their size.
 * @packageDocumentation
 */

/** The stylesheet: readable tables and forms, visible keyboard focus, colours with 4.5:1 contrast. */
export const STUDIO_CSS = `:root{color-scheme:light;font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#111827;background:#fff}
body{margin:0}
a{color:#1d4ed8}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,summary:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:4px 8px;z-index:9}
header{display:flex;gap:24px;align-items:center;padding:10px 24px;border-bottom:1px solid #d1d5db;background:#f9fafb;flex-wrap:wrap}
header .brand{font-weight:700}
header nav ul{display:flex;gap:16px;list-style:none;margin:0;padding:0}
header nav a[aria-current=page]{font-weight:700;text-decoration:none;color:#111827}
header .store{margin-left:auto;color:#4b5563;font-size:13px}
main{padding:16px 24px;max-width:1200px}
h1{font-size:22px;margin:8px 0 16px}h2{font-size:18px;margin:24px 0 8px}
table{border-collapse:collapse;margin:8px 0;min-width:50%}
th,td{border-bottom:1px solid #e5e7eb;padding:6px 10px;text-align:left;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:600;padding:4px 0}
.on{color:#047857;font-weight:600}.off{color:#b91c1c;font-weight:600}
.muted{color:#4b5563}
form.inline{display:inline}
button{font:inherit;padding:4px 12px;border:1px solid #374151;border-radius:4px;background:#fff;color:#111827;cursor:pointer}
button.primary{background:#1d4ed8;border-color:#1d4ed8;color:#fff}
input,select,textarea{font:inherit;padding:4px 6px;border:1px solid #6b7280;border-radius:4px}
textarea{width:100%;max-width:900px;font-family:ui-monospace,monospace;font-size:13px}
.field{margin:10px 0}.field label{display:block;font-weight:600}.field label.inline{display:inline}
.error{color:#b91c1c;margin:2px 0}
[aria-invalid=true]{border-color:#b91c1c;border-width:2px}
.notice{padding:8px 12px;border-left:4px solid #1d4ed8;background:#eff6ff;margin:12px 0}
.notice.bad{border-color:#b91c1c;background:#fef2f2}
.notice.good{border-color:#047857;background:#ecfdf5}
pre{background:#f3f4f6;padding:8px;overflow:auto;max-width:900px;white-space:pre-wrap}
del{background:#fee2e2;text-decoration:line-through}ins{background:#d1fae5;text-decoration:none}
.chart svg{max-width:100%;height:auto}
fieldset{border:1px solid #d1d5db;margin:10px 0;padding:8px 12px}
`;

/** The script: filters the flags table as you type into the search box (the form still works without it). */
export const STUDIO_JS = `(function(){var q=document.getElementById('flag-search');var t=document.getElementById('flag-table');if(!q||!t)return;
var s=document.getElementById('search-status');function f(){var v=q.value.trim().toLowerCase();var n=0;
t.querySelectorAll('tbody tr').forEach(function(r){var m=!v||(r.getAttribute('data-search')||'').indexOf(v)!==-1;r.hidden=!m;if(m)n++;});
if(s)s.textContent=n+(n===1?' flag':' flags')+' shown';}q.addEventListener('input',f);})();
`;
