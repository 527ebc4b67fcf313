/*
 * assets.c — the stylesheet and the small script every page loads, compiled
 * into the binary: the web app makes no request outside this server.
 *
 * Pages work without the script; it only adds a live filter to the glossary
 * index and a confirmation before deleting an import.  The CSP allows
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
    ".report table{display:block;overflow-x:auto;max-width:100%}\n"
    ".report td:last-child{min-width:14rem}\n"
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
    "input:focus,select:focus,textarea:focus,button:focus,a:focus{outline:3px solid #f0b429;outline-offset:1px}\n"
    "button,.button{font:inherit;background:var(--accent);color:#fff;border:0;border-radius:4px;"
    "padding:.5rem 1rem;cursor:pointer;text-decoration:none;display:inline-block}\n"
    "button.danger{background:var(--bad)}\n"
    ".hint{color:var(--muted);font-size:.85rem;font-weight:400}\n"
    ".error{color:var(--bad);font-weight:600}\n"
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
    "@media (max-width:480px){body{font-size:15px}main{padding:.75rem}h1{font-size:1.35rem}}\n";

const char web_js[] =
    "'use strict';\n"
    "// Glossary index: filter the list as you type (the form still works without it).\n"
    "document.addEventListener('DOMContentLoaded', function () {\n"
    "  var box = document.getElementById('glossary-q');\n"
    "  var items = document.querySelectorAll('[data-term]');\n"
    "  if (box && items.length) {\n"
    "    box.addEventListener('input', function () {\n"
    "      var q = box.value.toLowerCase().replace(/[^a-z0-9]+/g, '');\n"
    "      items.forEach(function (li) {\n"
    "        var keys = li.getAttribute('data-term');\n"
    "        li.hidden = q !== '' && keys.indexOf(q) < 0;\n"
    "      });\n"
    "    });\n"
    "  }\n"
    "  // Deleting an import cannot be undone: ask first.\n"
    "  document.querySelectorAll('form[data-confirm]').forEach(function (f) {\n"
    "    f.addEventListener('submit', function (e) {\n"
    "      if (!window.confirm(f.getAttribute('data-confirm'))) e.preventDefault();\n"
    "    });\n"
    "  });\n"
    "});\n";

bool route_assets(web_request *req, web_response *res)
{
    const char *body = NULL, *type = NULL;
    if (strcmp(req->path, "/static/style.css") == 0)
        body = web_css, type = "text/css; charset=utf-8";
    else if (strcmp(req->path, "/static/app.js") == 0)
        body = web_js, type = "text/javascript; charset=utf-8";
    else if (strcmp(req->path, "/favicon.ico") == 0)
        body = "", type = "image/x-icon";
    if (!body)
        return false;
    res->status = *body ? 200 : 204;
    res->content_type = type;
    res->static_body = body;
    res->length = strlen(body);
    res->immutable = true;
    return true;
}
