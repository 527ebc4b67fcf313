/*
 * assets.c — the stylesheet and the small script every page loads, compiled
 * into the binary: the web app makes no request outside this server.
 *
 * Pages work without the script; it only adds a live filter to the glossary
 * index, moves focus to a form's answer (#result) and asks for a
 * confirmation before deleting an import.  The CSP allows
 * scripts and styles from this server only, so neither may be inline.
 */
#include "web.h"

#include <string.h>

const char web_css[] =
    ":root{--ink:#1b1b1b;--muted:#555;--line:#d9d9d9;--accent:#2f6f8f;--warm:#c2571a;"
    "--bg:#fafaf7;--ok:#1d6b3a;--bad:#a3262a;--wait:#8a6d00}\n"
    "*{box-sizing:border-box}\n"
    "body{font:16px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:var(--ink);"
    "background:var(--bg)}\n"
    "a{color:var(--accent)}\n"
    ".skip{position:absolute;left:-999px}.skip:focus{left:.5rem;top:.5rem;background:#fff;"
    "padding:.3rem}\n"
    "header{background:#fff;border-bottom:1px solid var(--line)}\n"
    "header nav{max-width:60rem;margin:0 auto;padding:.5rem 1rem;display:flex;flex-wrap:wrap;"
    "align-items:center;gap:.5rem 1rem}\n"
    "header ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem .9rem}\n"
    "header .account{max-width:60rem;margin:0 auto;padding:0 1rem .5rem;display:flex;"
    "flex-wrap:wrap;align-items:center;gap:.25rem .9rem;font-size:.95rem}\n"
    "header .account .role{color:var(--muted,#555)}\n"
    "header form.inline{display:inline;margin:0}\n"
    "header form.inline button{padding:.2rem .6rem;font-size:.9rem}\n"
    ".brand{font-weight:700;text-decoration:none;color:var(--ink)}\n"
    "[aria-current=page]{font-weight:700;text-decoration:none;color:var(--ink)}\n"
    "main{max-width:60rem;margin:0 auto;padding:1rem}\n"
    "footer{max-width:60rem;margin:2rem auto 0;padding:1rem;border-top:1px solid var(--line);"
    "color:var(--muted);font-size:.875rem}\n"
    "h1{font-size:1.6rem;line-height:1.25}h2{font-size:1.2rem;margin-top:1.6rem}\n"
    "table{border-collapse:collapse;width:100%;background:#fff}\n"
    "th,td{border-bottom:1px solid var(--line);padding:.35rem .5rem;text-align:left;"
    "vertical-align:top}\n"
    "td.n,th.n{text-align:right;white-space:nowrap}small{color:var(--muted)}\n"
    ".wide{overflow-x:auto}.wide table{font-size:.875rem}\n"
    "form.card,.card{background:#fff;border:1px solid var(--line);border-radius:6px;"
    "padding:1rem;margin:1rem 0}\n"
    ".grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(13rem,1fr));gap:.75rem}\n"
    ".controls{grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));align-items:end}\n"
    ".controls p{margin:0}.controls input{width:100%;font:inherit;padding:.4rem;"
    "border:1px solid #999;border-radius:4px}\n"
    ".pager p{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:baseline}\n"
    "label{display:block;font-weight:600;font-size:.9rem}\n"
    "input[type=text],input[type=search],select,textarea{width:100%;font:inherit;padding:.4rem;"
    "border:1px solid #999;border-radius:4px;background:#fff}\n"
    /* 16 px at every width: iOS zooms the page into a field whose text is
     * smaller, and the phone layout makes body text 15 px. */
    "input[type],input:not([type]),select,textarea,button{font-size:max(1rem,16px)}\n"
    "input:focus,select:focus,textarea:focus,button:focus,a:focus{outline:3px solid #f0b429;outline-offset:1px}\n"
    "button,.button{font:inherit;background:var(--accent);color:#fff;border:0;border-radius:4px;"
    "padding:.5rem 1rem;cursor:pointer;text-decoration:none;display:inline-block}\n"
    "button.danger{background:var(--bad)}\n"
    ".hint{color:var(--muted);font-size:.85rem;font-weight:400}\n"
    ".error{color:var(--bad);font-weight:600}\n"
    /* Forms: a field in error has a red border and its message under the
     * label (form_field_error); the answer region (result_begin) starts at
     * the top of the screen with a little air above it. */
    ".invalid input,.invalid textarea,.invalid select,[aria-invalid=true]{border:2px solid var(--bad)}\n"
    ".field-msg{color:var(--bad);font-weight:600;font-size:.9rem;margin:.15rem 0 .25rem}\n"
    ".result{scroll-margin-top:.5rem}.result:focus{outline:none}\n"
    ".result-error{background:#fff;border:2px solid var(--bad);border-radius:6px;padding:.25rem 1rem;"
    "margin:1rem 0}.result-error h2{margin-top:.5rem}\n"
    ".card>h2:first-child,.card>p:first-child{margin-top:0}\n"
    ".lead{border-left:4px solid var(--accent)}\n"
    /* Radios a thumb can hit; the whole label is the target anyway. */
    ".options input[type=radio]{width:1.25rem;height:1.25rem;margin:.1rem 0 0;flex:none}\n"
    ".verdict{font-weight:700;text-transform:none}\n"
    ".v-strong,.v-b-better{color:var(--ok)}.v-weak,.v-a-better{color:var(--bad)}\n"
    ".v-too-early{color:var(--wait)}.v-typical,.v-no-clear-difference{color:var(--muted)}\n"
    ".chart{max-width:640px;width:100%;height:auto}svg text{font:12px system-ui,sans-serif}\n"
    ".note{color:var(--muted);font-size:.9rem}\n"
    ".loop{display:grid;grid-template-columns:repeat(auto-fit,minmax(14rem,1fr));gap:1rem}\n"
    ".loop section{background:#fff;border:1px solid var(--line);border-radius:6px;padding:1rem}\n"
    ".options{list-style:none;padding:0}.options li{margin:.4rem 0}\n"
    ".options label{font-weight:400;display:flex;gap:.5rem;align-items:flex-start}\n"
    ".right{color:var(--ok);font-weight:700}.wrong{color:var(--bad);font-weight:700}\n"
    "dl.facts dt{font-weight:600}dl.facts dd{margin:0 0 .6rem 0}\n"
    ".practice{background:#fff4d6;border:1px solid #e6c65c;padding:.5rem .75rem;"
    "border-radius:4px}\n"
    "ul.terms{columns:2 16rem}\n"
    /* reports: the report page is built around the reading (report_html.c):
     * summary cards, then rows whose first column (the title) stays put while
     * the numbers scroll; on a phone each row is a card, its verdict on top.
     * Charts are capped at 30rem so their 14-unit text is 12 px or more on a
     * phone and under 19 px on a desktop. */
    "main:has(.report){max-width:80rem}\n"
    ".report .sources{color:var(--muted);font-size:.9rem}\n"
    ".summary{display:grid;grid-template-columns:repeat(auto-fit,minmax(9.5rem,1fr));gap:.6rem;"
    "margin:1rem 0}\n"
    ".stat{background:#fff;border:1px solid var(--line);border-radius:6px;padding:.6rem .8rem}\n"
    ".stat .k{display:block;font-size:.875rem;color:var(--muted)}\n"
    ".stat b{display:block;font-size:1.35rem;line-height:1.25}\n"
    ".stat small,.stat span{display:block}.wide-stat{grid-column:span 2}\n"
    ".rows-scroll{overflow-x:auto;background:#fff;border:1px solid var(--line);border-radius:6px}\n"
    ".rows{font-size:.9375rem}.rows thead th{vertical-align:bottom;white-space:nowrap}\n"
    ".rows th a{color:inherit}.rows small{display:block}.rows .title{display:block;font-weight:600}\n"
    ".rows th.key{position:sticky;left:0;z-index:1;background:#fff;min-width:11rem;"
    "max-width:17rem;box-shadow:1px 0 0 var(--line);overflow-wrap:anywhere}\n"
    ".rows .reading{min-width:13rem;max-width:20rem}.rows .next{display:block;font-size:.875rem}\n"
    ".rows td.n b{font-weight:600}.rows tfoot th,.rows tfoot td{border-top:2px solid var(--line)}\n"
    ".chart.funnel,.trend-chart{max-width:30rem}svg.funnel text,svg.trend-chart text{font-size:14px}\n"
    ".trend{margin:0}.trend summary{cursor:pointer;color:var(--accent)}\n"
    ".drop{display:block;border:2px dashed var(--accent);border-radius:8px;padding:1.5rem 1rem;"
    "text-align:center;background:#f4f8fa;cursor:pointer;font-weight:400}\n"
    ".drop .drop-title{display:block;font-size:1.15rem;font-weight:600}.drop .hint{display:block}\n"
    ".drop input{display:block;margin:.75rem auto 0;max-width:100%}.drop.over{background:#dcebf3}\n"
    ".upload>div{margin-top:.75rem}.first-run h2{margin-top:0}.first-run h3{font-size:1.05rem}\n"
    ".imports td:nth-child(2){overflow-wrap:break-word}\n"
    "@media (max-width:600px){.wide-stat{grid-column:1/-1}.rows-scroll{border:0;background:none}\n"
    ".rows thead{display:none}.rows,.rows tbody,.rows tfoot,.rows tr,.rows th,.rows td{display:block}\n"
    ".rows tr{display:flex;flex-direction:column;background:#fff;border:1px solid var(--line);"
    "border-radius:6px;margin:0 0 .75rem;padding:.5rem .6rem}\n"
    ".rows td,.rows th,.rows tfoot th,.rows tfoot td{border:0;padding:.15rem 0;text-align:left}\n"
    ".rows .reading{order:-1;max-width:none;min-width:0;border-bottom:1px solid var(--line);"
    "padding-bottom:.4rem}\n"
    ".rows th.key{position:static;max-width:none;min-width:0;box-shadow:none}\n"
    ".rows td.n{display:flex;flex-wrap:wrap;gap:0 .5rem;white-space:normal}\n"
    ".rows td[data-label]::before{content:attr(data-label);color:var(--muted);flex:1 0 7rem}\n"
    ".rows td.n small{display:inline}.rows td.n:empty{display:none}"
    ".rows td.reading::before{display:none}\n"
    ".imports th:first-child,.imports td:first-child{display:none}}\n"
    /* end reports */
    /* compare and journal: the verdict word small, its sentence big and first;
     * the numbers behind it in a disclosure; tables that stack into
     * label/value lines on a phone instead of being cut off. */
    ".verdict-box{background:#fff;border:1px solid var(--line);border-left:6px solid var(--wait);"
    "border-radius:6px;padding:.75rem 1rem;margin:.5rem 0 1rem}\n"
    ".verdict-word{margin:0;font-size:1rem;text-transform:uppercase;letter-spacing:.03em}\n"
    ".verdict-sentence{font-size:1.2rem;line-height:1.45;margin:.35rem 0 0}\n"
    "@media (max-width:600px){.verdict-sentence{font-size:1.05rem}}\n"
    "details.stats{background:#fff;border:1px solid var(--line);border-radius:6px;padding:.5rem 1rem;"
    "margin:1rem 0}details.stats summary{cursor:pointer;font-weight:600}\n"
    "details.stats table{margin:.75rem 0}\n"
    ".chart-s{max-width:480px}.chart-s text{font-size:14px}.pchart{margin:1rem 0}.pchart figcaption{font-size:.9rem;"
    "color:var(--muted)}\n"
    ".buttons{display:flex;flex-wrap:wrap;gap:.5rem}button.secondary{background:#fff;"
    "color:var(--accent);border:1px solid var(--accent)}\n"
    "table.stack td,table.stack th{overflow-wrap:anywhere}\n"
    "@media (max-width:640px){table.stack thead{position:absolute;width:1px;height:1px;"
    "overflow:hidden;clip:rect(0 0 0 0)}table.stack,table.stack tbody,table.stack tr,"
    "table.stack td,table.stack th{display:block;width:100%}"
    "table.stack tr{border:1px solid var(--line);border-radius:6px;margin:0 0 .75rem;"
    "padding:.25rem .5rem}table.stack td,table.stack th{border:0;padding:.2rem 0;"
    "text-align:left}table.stack td[data-label]{display:flex;justify-content:space-between;"
    "gap:1rem;text-align:right}table.stack td[data-label]::before{content:attr(data-label);"
    "font-weight:600;text-align:left}}\n"
    /* end compare and journal */
    "@media (max-width:480px){body{font-size:15px}main{padding:.75rem}h1{font-size:1.35rem}}\n";

const char web_js[] =
    "'use strict';\n"
    "// Glossary index: filter the list as you type (the form still works without it).\n"
    "document.addEventListener('DOMContentLoaded', function () {\n"
    "  var box = document.getElementById('glossary-q');\n"
    "  var items = document.querySelectorAll('[data-term]');\n"
    "  if (box && items.length) {\n"
    "    var none = document.getElementById('glossary-none');\n"
    "    box.addEventListener('input', function () {\n"
    "      var q = box.value.toLowerCase().replace(/[^a-z0-9]+/g, '');\n"
    "      var shown = 0;\n"
    "      items.forEach(function (li) {\n"
    "        li.hidden = q !== '' && li.getAttribute('data-term').indexOf(q) < 0;\n"
    "        if (!li.hidden) shown++;\n"
    "      });\n"
    "      // A step with no match left is hidden whole: no bare headings.\n"
    "      document.querySelectorAll('[data-step]').forEach(function (s) {\n"
    "        s.hidden = !s.querySelector('[data-term]:not([hidden])');\n"
    "      });\n"
    "      if (none) {\n"
    "        none.hidden = shown > 0;\n"
    "        none.textContent = shown > 0 ? '' : 'No term matches \\u201c' + box.value +\n"
    "          '\\u201d. Press Look up for the closest terms, or clear the box to see them all.';\n"
    "      }\n"
    "    });\n"
    "  }\n"
    "  // A form's answer (or its error): the form's action ends in #result, so the\n"
    "  // browser has scrolled there; move focus too, so keyboard and screen reader\n"
    "  // users start at the answer rather than at the top of the page.\n"
    "  var result = document.getElementById('result');\n"
    "  if (result) {\n"
    "    if (location.hash !== '#result') result.scrollIntoView({block: 'start'});\n"
    "    result.focus({preventScroll: true});\n"
    "  }\n"
    "  // Times: the page says UTC; show the viewer's local time, UTC in the title.\n"
    "  document.querySelectorAll('time[datetime]').forEach(function (t) {\n"
    "    var d = new Date(t.getAttribute('datetime'));\n"
    "    if (isNaN(d.getTime()) || t.getAttribute('datetime').length < 11) return;\n"
    "    t.title = t.textContent;\n"
    "    t.textContent = d.toLocaleString(undefined, {dateStyle: 'medium', timeStyle: 'short'});\n"
    "  });\n"
    "  // reports: the upload's drop zone (a label around the file input, which\n"
    "  // works alone) also takes a file dropped on it, and names the file chosen.\n"
    "  document.querySelectorAll('label.drop').forEach(function (zone) {\n"
    "    var input = zone.querySelector('input[type=file]');\n"
    "    var title = zone.querySelector('.drop-title');\n"
    "    if (!input) return;\n"
    "    var named = function () {\n"
    "      if (input.files && input.files.length && title) title.textContent = input.files[0].name;\n"
    "    };\n"
    "    input.addEventListener('change', named);\n"
    "    ['dragenter', 'dragover'].forEach(function (n) {\n"
    "      zone.addEventListener(n, function (e) { e.preventDefault(); zone.classList.add('over'); });\n"
    "    });\n"
    "    ['dragleave', 'drop'].forEach(function (n) {\n"
    "      zone.addEventListener(n, function () { zone.classList.remove('over'); });\n"
    "    });\n"
    "    zone.addEventListener('drop', function (e) {\n"
    "      e.preventDefault();\n"
    "      if (e.dataTransfer && e.dataTransfer.files.length) { input.files = e.dataTransfer.files; named(); }\n"
    "    });\n"
    "  });\n"
    "  // Deleting an import cannot be undone: ask first.\n"
    "  document.querySelectorAll('form[data-confirm]').forEach(function (f) {\n"
    "    f.addEventListener('submit', function (e) {\n"
    "      if (!window.confirm(f.getAttribute('data-confirm'))) e.preventDefault();\n"
    "    });\n"
    "  });\n"
    "});\n";

void asset_file(web_request *req, web_response *res)
{
    const char *body = "", *type = "image/x-icon"; /* /favicon.ico: nothing, 204 */
    if (strcmp(req->path, "/static/style.css") == 0)
        body = web_css, type = "text/css; charset=utf-8";
    else if (strcmp(req->path, "/static/app.js") == 0)
        body = web_js, type = "text/javascript; charset=utf-8";
    res->status = *body ? 200 : 204;
    res->content_type = type;
    res->static_body = body;
    res->length = strlen(body);
    res->immutable = true;
}
