// The one stylesheet of the pages. Served at /assets/kept.<hash>.css with a
// long cache (the hash changes with the content); no CDN, no inline styles,
// so the content security policy can allow only 'self'.

export const css = `
:root{
  --ink:#1c2530;--muted:#4f5d6b;--line:#d8dee5;--soft:#f4f6f8;--page:#fbfcfd;--card:#fff;
  --brand:#0b5d4b;--brand-ink:#fff;--focus:#1a5fd0;
  --kept-bg:#dcf3e6;--kept-ink:#0b5132;--risk-bg:#fff0c7;--risk-ink:#6b4500;
  --broken-bg:#fde0de;--broken-ink:#8a1711;--quiet-bg:#e7ebef;--quiet-ink:#36424e;
  --radius:8px;
}
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--page)}
a{color:#0b57a4}
a:hover{color:#083f78}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px;border-radius:3px}
.skip{position:absolute;left:-999px;top:.5rem;background:var(--card);padding:.5rem 1rem;z-index:10}
.skip:focus{left:.5rem}
.top{background:var(--card);border-bottom:1px solid var(--line)}
.top-in{max-width:76rem;margin:0 auto;padding:.6rem 1.25rem;display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center}
.brand{font-weight:700;font-size:1.15rem;color:var(--ink);text-decoration:none;display:flex;align-items:center;gap:.45rem}
.brand-mark{display:inline-block;width:1.3rem;height:1.3rem;border-radius:50%;background:var(--brand);position:relative}
.brand-mark::after{content:"";position:absolute;left:.42rem;top:.22rem;width:.32rem;height:.62rem;border:solid #fff;border-width:0 .16rem .16rem 0;transform:rotate(45deg)}
.nav{display:flex;flex-wrap:wrap;gap:.25rem;margin:0;padding:0;list-style:none}
.nav a{display:block;padding:.35rem .7rem;border-radius:6px;color:var(--ink);text-decoration:none}
.nav a:hover{background:var(--soft)}
.nav a[aria-current=page]{background:var(--soft);font-weight:600;box-shadow:inset 0 -2px 0 var(--brand)}
.who{margin-left:auto;display:flex;gap:.75rem;align-items:center;color:var(--muted);font-size:.85rem}
main{max-width:76rem;margin:0 auto;padding:1.5rem 1.25rem 3rem}
h1{font-size:1.6rem;line-height:1.25;margin:.25rem 0 .5rem}
h2{font-size:1.2rem;margin:2rem 0 .75rem}
h3{font-size:1rem;margin:1.25rem 0 .5rem}
p{margin:.5rem 0}
.lead{color:var(--muted);margin:0 0 1.25rem;max-width:48rem}
.muted{color:var(--muted)}
.small{font-size:.875rem}
.head{display:flex;flex-wrap:wrap;gap:.75rem 1rem;align-items:flex-start;justify-content:space-between}
.head>div:first-child{min-width:0}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
.actions form{margin:0}
.card{background:var(--card);border:1px solid var(--line);border-radius:var(--radius);padding:1rem 1.25rem;margin:0 0 1rem}
.week-picker{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:0 0 .75rem}.week-picker select{max-width:100%}
.digest-preview{max-width:640px}
.notice{border-left:4px solid var(--brand);background:#eef8f4;padding:.75rem 1rem;border-radius:4px;margin:0 0 1.25rem}
.notice.bad{border-color:#b42318;background:#fdf0ef}
.drift{color:var(--risk-ink);font-weight:600;margin-top:.2rem;white-space:nowrap}.drift::before{content:"≠ "}
.notice.warn{border-color:#b07d00;background:#fff8e1;color:var(--ink);font-size:1rem;padding:.75rem 1rem;margin:0 0 1.25rem}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));gap:.75rem;margin:0 0 1.25rem;padding:0;list-style:none}
.tiles li{background:var(--card);border:1px solid var(--line);border-radius:var(--radius);padding:.75rem 1rem}
.tiles strong{display:block;font-size:1.6rem;line-height:1.1}
.table-wrap{overflow-x:auto;background:var(--card);border:1px solid var(--line);border-radius:var(--radius)}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.6rem .75rem;border-bottom:1px solid var(--line);vertical-align:top}
thead th{font-size:.8rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);background:var(--soft);white-space:nowrap}
tbody tr:last-child>*{border-bottom:0}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.title-cell a{font-weight:600;text-decoration:none}
.title-cell a:hover{text-decoration:underline}
.badge{display:inline-flex;align-items:center;gap:.3rem;font-size:.85rem;font-weight:600;padding:.1rem .55rem;border-radius:999px;white-space:nowrap;border:1px solid transparent}
.badge::before{font-weight:700}
.b-kept{background:var(--kept-bg);color:var(--kept-ink)}.b-kept::before{content:"✓"}
.b-at_risk{background:var(--risk-bg);color:var(--risk-ink)}.b-at_risk::before{content:"!"}
.b-broken{background:var(--broken-bg);color:var(--broken-ink)}.b-broken::before{content:"✕"}
.b-error{background:var(--quiet-bg);color:var(--quiet-ink)}.b-error::before{content:"?"}
.b-paused{background:var(--quiet-bg);color:var(--quiet-ink)}.b-paused::before{content:"❚❚";font-size:.6rem}
.b-pending{background:var(--quiet-bg);color:var(--quiet-ink);border-color:#b8c2cc;border-style:dashed}.b-pending::before{content:"…"}
.b-overdue{background:var(--risk-bg);color:var(--risk-ink);border-style:dashed}.b-overdue::before{content:"◷"}
.b-passed{background:var(--kept-bg);color:var(--kept-ink)}.b-passed::before{content:"✓"}
.b-failed{background:var(--broken-bg);color:var(--broken-ink)}.b-failed::before{content:"✕"}
.b-skipped{background:var(--quiet-bg);color:var(--quiet-ink)}.b-skipped::before{content:"–"}
.chart{display:block}
.chart .bar-kept{fill:#1f8a5b}.chart .bar-risk{fill:#d59a00}.chart .bar-broken{fill:#c4321f}.chart .bar-none{fill:#d8dee5}
form.filters{display:flex;flex-wrap:wrap;gap:.75rem;align-items:flex-end;margin:0 0 1rem}
label{font-weight:600;display:block;margin:0 0 .25rem}
.filters label{font-size:.85rem;margin:0}
input[type=text],input[type=email],input[type=password],input[type=number],input[type=url],select,textarea{
  font:inherit;color:inherit;width:100%;padding:.5rem .6rem;border:1px solid #8795a3;border-radius:6px;background:#fff}
textarea{min-height:10rem;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9rem;line-height:1.45}
input[aria-invalid=true],textarea[aria-invalid=true],select[aria-invalid=true]{border-color:#b42318;box-shadow:0 0 0 1px #b42318}
.filters select,.filters input{width:auto;min-width:10rem}
.field{margin:0 0 1.1rem;max-width:44rem}
.field.wide{max-width:none}
.hint{color:var(--muted);font-size:.875rem;margin:.25rem 0 0}
.error{color:#a11b10;font-size:.9rem;font-weight:600;margin:.3rem 0 0;white-space:pre-line}
.error:empty{display:none}
#budgets-hint{margin:0 0 .75rem}
.ok{color:var(--kept-ink);font-size:.9rem;margin:.3rem 0 0}
.warn{color:var(--risk-ink);background:var(--risk-bg);border-radius:4px;padding:.4rem .6rem;font-size:.9rem;margin:.4rem 0 0}
fieldset{border:1px solid var(--line);border-radius:var(--radius);padding:1rem 1.25rem .25rem;margin:0 0 1.25rem;background:var(--card)}
legend{font-weight:700;padding:0 .4rem}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(12rem,1fr));gap:0 1rem}
.choice{display:flex;gap:.5rem;align-items:center;font-weight:400;margin:0 0 .5rem}
.choice input{width:1.1rem;height:1.1rem;margin:0}
.btn{display:inline-block;font:inherit;font-weight:600;padding:.5rem 1rem;border-radius:6px;border:1px solid var(--brand);background:var(--brand);color:var(--brand-ink);text-decoration:none;cursor:pointer;line-height:1.4}
.btn:hover{background:#084a3c;color:#fff}
.btn.secondary{background:#fff;color:var(--brand)}
.btn.secondary:hover{background:#eef8f4}
.btn.danger{background:#b42318;border-color:#b42318;color:#fff}
.btn.small{padding:.25rem .6rem;font-size:.875rem}
.btn.link{background:none;border:0;color:#0b57a4;text-decoration:underline;padding:0;font-weight:400}
.btn[disabled]{opacity:.6;cursor:progress}
.form-actions{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;margin:1.5rem 0}
.cols{display:grid;grid-template-columns:minmax(0,2fr) minmax(0,1fr);gap:1.5rem}
@media (max-width:56rem){.cols{grid-template-columns:minmax(0,1fr)}.who{margin-left:0}}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1rem;margin:0}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0;overflow-wrap:break-word;min-width:0}
@media (max-width:30rem){dl.facts{grid-template-columns:minmax(0,1fr);gap:0}dl.facts dd{margin:0 0 .5rem}}
.head{margin-bottom:1rem}
.card h3{margin-top:0}
details.add-note{border:0;background:none;margin:.5rem 0 0}
details.add-note>summary{padding:.25rem 0;color:#0b57a4;text-decoration:underline;display:list-item}
details.add-note[open]>summary{border:0}
details.add-note .stack{padding:.25rem 0}
details{border:1px solid var(--line);border-radius:var(--radius);background:var(--card);margin:0 0 .5rem}
details>summary{cursor:pointer;padding:.6rem .9rem;display:flex;flex-wrap:wrap;gap:.4rem 1rem;align-items:center}
details[open]>summary{border-bottom:1px solid var(--line)}
details .body{padding:.75rem .9rem}
.card>h3:first-child,.card>h2:first-child{margin-top:0}
time{white-space:nowrap}
.shot{max-width:min(100%,48rem);max-height:32rem;width:auto;height:auto;object-fit:contain;border:1px solid var(--line);border-radius:6px;display:block;margin:.5rem 0}
code,kbd{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em;background:var(--soft);padding:.05rem .3rem;border-radius:4px}
pre{background:var(--soft);padding:.75rem;border-radius:6px;overflow-x:auto;margin:0}
pre code{background:none;padding:0}
.empty{text-align:center;padding:2.5rem 1rem}
.empty h2{margin-top:0}
.pager{display:flex;gap:1rem;align-items:center;margin:1rem 0}
.login{max-width:24rem;margin:3rem auto}
.try-result{margin:1.5rem 0}
.try-result .error{margin:.25rem 0 .75rem}
fieldset.plain{border:0;padding:0;margin:.5rem 0 1rem;background:none}
fieldset.plain legend{padding:0;margin:0 0 .4rem;font-weight:600}
textarea.short{min-height:0;font-family:inherit;font-size:1rem}
code.token{word-break:break-all;font-size:1rem;user-select:all}
.visually-hidden{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.note{border-top:1px solid var(--line);padding:.5rem 0}
pre.mail{white-space:pre-wrap;overflow-wrap:anywhere;font-size:.85rem}
.delivery{font-weight:600}.d-failed{color:#b42318}.d-logged{color:#6b5900}.d-sent{color:#1b7f4b}
tr.step-failed td{background:#fdf0ef}
.shot-frame{margin:0;width:fit-content;max-width:100%}.shot-frame a{display:block}
.timeline{list-style:none;padding:0;margin:0 0 1.5rem;border-left:3px solid var(--line)}.timeline li{padding:.35rem 0 .35rem 1rem}.timeline time{font-weight:600;margin-right:.5rem;white-space:nowrap}.note-body{white-space:pre-wrap}
.live{min-height:1.5em;color:var(--muted)}.live.walking{color:var(--ink);font-weight:600}.spinner{display:inline-block;width:.8em;height:.8em;border:2px solid var(--line);border-top-color:var(--brand);border-radius:50%;animation:spin 1s linear infinite;vertical-align:-.1em}@keyframes spin{to{transform:rotate(360deg)}}@media (prefers-reduced-motion:reduce){.spinner{animation:none}}
.stack>*+*{margin-top:.5rem}
/* A walk's verdict in the owner's words, and the note for the tech team. */
.verdict{border-left:4px solid var(--brand);background:#eef8f4;padding:.75rem 1rem;border-radius:4px;margin:0 0 1rem}
.verdict.bad{border-color:#b42318;background:#fdf0ef}.verdict.risk{border-color:#b07d00;background:#fff8e1}.verdict.quiet{border-color:#8795a3;background:var(--soft)}
.verdict-sentence{font-weight:600;margin:0}.verdict-advice{margin:.35rem 0 0}
.verdict-when{font-size:.875rem;font-weight:400;margin:.5rem 0 .35rem}
.copy-note{margin:.6rem 0 0;display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
.copy-note details{flex-basis:100%;border:0;background:none;margin:0}
.copy-note details>summary{padding:0;display:list-item;color:#0b57a4}.copy-note details[open]>summary{border:0}
pre.note-text{white-space:pre-wrap;overflow-wrap:break-word;font-size:.85rem;margin:.4rem 0 0;background:#fff;border:1px solid var(--line)}
/* Code chips in sentences never break inside a step; a step's own text wraps at its spaces only. */
.hint code,.warn code,.lead code,p code,li code{white-space:nowrap}
code.step{white-space:normal;overflow-wrap:break-word}
/* On a phone, a table of cards: each row a card, each cell named by its data-label. */
@media (max-width:40rem){
  table.cards thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
  table.cards,table.cards tbody{display:block}
  table.cards tr{display:flex;flex-wrap:wrap;gap:.3rem .9rem;align-items:center;padding:.65rem .8rem;border-bottom:1px solid var(--line)}
  table.cards tbody tr:last-child{border-bottom:0}
  table.cards td{display:block;border:0;padding:0;text-align:left}
  table.cards td.num{text-align:left}
  table.cards td.card-head{flex-basis:100%}
  table.cards td[data-label]::before{content:attr(data-label) " ";color:var(--muted);font-size:.8rem;font-weight:400}
  table.cards td.card-head[data-label]::before{content:none}
  table.cards tr.step-failed{background:#fdf0ef}
  table.cards td.none{display:none}
  .nav a{padding:.3rem .5rem}
  .tiles{grid-template-columns:repeat(2,minmax(0,1fr));gap:.5rem}.tiles li{padding:.4rem .6rem;display:flex;align-items:center;gap:.5rem}.tiles strong{font-size:1.2rem}
  .who{font-size:.8rem;gap:.5rem}.who .btn{white-space:nowrap}
  main{padding:1rem .9rem 2.5rem}.top-in{padding:.5rem .9rem}
}
/* The public status page (/status). */
.status h1{font-size:1.5rem}
.status-logo{height:1.6rem;width:auto;display:inline-block;vertical-align:middle}
.status-summary{font-size:1.1rem;font-weight:600;padding:.9rem 1.1rem;border-radius:var(--radius);margin:0 0 1.5rem;border:1px solid var(--line)}
.status-summary.s-kept{background:var(--kept-bg);color:var(--kept-ink);border-color:#9fd5b6}
.status-summary.s-broken{background:var(--broken-bg);color:var(--broken-ink);border-color:#efb3ad}
.status-summary.s-maintenance{background:#e3ecfb;color:#163f86;border-color:#b5c9ef}
.status-summary.s-unchecked{background:var(--quiet-bg);color:var(--quiet-ink)}
.status-list,.incident-list,.plain-list{list-style:none;margin:0;padding:0}
.status-list{background:var(--card);border:1px solid var(--line);border-radius:var(--radius)}
.status-item{padding:.9rem 1.1rem;border-bottom:1px solid var(--line)}.status-item:last-child{border-bottom:0}
.status-row{display:flex;flex-wrap:wrap;gap:.4rem 1rem;align-items:center;justify-content:space-between;margin:0 0 .5rem}
.status-row h3{margin:0;font-size:1rem}
.status-bars{display:block;width:100%;height:28px}
.status-bars .day-kept{fill:#1f8a5b}.status-bars .day-partial{fill:#d59a00}.status-bars .day-broken{fill:#c4321f}.status-bars .day-none{fill:#d8dee5}
.status-scale{display:flex;justify-content:space-between;margin:.25rem 0 0}
.s-kept{background:var(--kept-bg);color:var(--kept-ink)}.s-kept::before{content:"✓"}
.s-broken{background:var(--broken-bg);color:var(--broken-ink)}.s-broken::before{content:"✕"}
.s-maintenance{background:#e3ecfb;color:#163f86}.s-maintenance::before{content:"⚙"}
.s-unchecked{background:var(--quiet-bg);color:var(--quiet-ink)}.s-unchecked::before{content:"–"}
.status-summary::before{content:none}
.incident{background:var(--card);border:1px solid var(--line);border-radius:var(--radius);padding:.75rem 1.1rem;margin:0 0 .6rem}
.incident h3{margin:0 0 .25rem;font-size:1rem}
.incident-note{margin:.35rem 0 0}
.plain-list li{padding:.25rem 0}
.status-foot{margin-top:2rem}
.claim-finder{margin:0 0 1.25rem}.claim-finder>summary{font-weight:600}.claim-finder .hint{margin:0 0 .75rem}
.claim-finder-row{display:flex;flex-wrap:wrap;gap:0 1rem;align-items:flex-start}.claim-finder-row .field{flex:1 1 20rem;margin-bottom:.25rem}.claim-finder-row .claim-pages{flex:0 0 8rem}.claim-finder-row .btn{margin-top:1.6rem}
.claim-list{list-style:none;padding:0;margin:.5rem 0 0}.claim-list li{display:flex;gap:1rem;align-items:center;justify-content:space-between;border-top:1px solid var(--line);padding:.6rem 0}.claim-list p{margin:0}
.claim-measure{display:inline-block;min-width:4.5rem;font-weight:600;color:var(--brand)}.claim-text{overflow-wrap:anywhere}
.builder{border:1px solid var(--line);border-radius:8px;padding:.75rem 1rem;margin:0 0 1.25rem}.builder [hidden]{display:none}.builder h3{margin:0 0 .5rem;font-size:1rem}
.builder-start{display:flex;flex-wrap:wrap;gap:0 1rem;align-items:flex-start}.builder-start .field{flex:1 1 20rem;margin-bottom:.25rem}.builder-start .btn{margin-top:1.6rem}
.builder-bar{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center}.builder-modes{display:flex;flex-wrap:wrap;gap:0 1rem;margin:0;flex:1 1 100%}#builder-done{margin-left:auto}.builder-modes legend{float:left;margin-right:.75rem;font-weight:600}.builder-count{margin:0;font-weight:600;color:var(--brand)}
.builder-type{display:flex;flex-wrap:wrap;gap:0 1rem;align-items:center;margin:.5rem 0}.builder-type .field{flex:1 1 20rem;margin:0}
.builder-screen{border:1px solid var(--line);margin:.5rem 0 0;line-height:0}.builder-screen img{width:100%;height:auto;cursor:crosshair}.builder-screen.busy{opacity:.6}.builder-screen.busy img{cursor:progress}.builder-url{margin:.25rem 0 0;overflow-wrap:anywhere}
.claim-skipped{margin:.75rem 0 0}.claim-skipped ul{margin:0;padding:.6rem .9rem .6rem 2rem}.claim-skipped li{overflow-wrap:anywhere}
`
