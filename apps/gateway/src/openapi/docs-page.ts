import type { JsonObject, OpenApiDocument, OpenApiOperation } from './document.js';

/**
 * The document as one static HTML page: every operation with its role, parameters,
 * body and responses, then every named schema. No scripts and nothing fetched from
 * elsewhere (helmet's CSP allows neither, and users may be offline); `$ref`s are links
 * to the schema's anchor on the same page.
 */
export function renderDocsPage(doc: OpenApiDocument): string {
  const operations = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ method, path, op: op })));
  const tags = doc.tags.map((t) => t.name);
  const sections = tags.map((tag) => {
    const ops = operations.filter((o) => o.op.tags.includes(tag));
    return `<section><h2 id="tag-${esc(tag)}">${esc(tag)}</h2>\n${ops.map(({ method, path, op }) => operation(method, path, op)).join('\n')}</section>`;
  });
  const schemas = Object.entries(doc.components.schemas).map(
    ([name, schema]) => `<section class="schema"><h3 id="schema-${esc(name)}">${esc(name)}</h3>${json(schema)}</section>`,
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(doc.info.title)} API</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem; color: #1d1d1f; }
code, pre { font: 13px/1.4 ui-monospace, monospace; }
pre { background: #f5f5f7; padding: .6rem .8rem; overflow-x: auto; border-radius: 4px; }
.op { border-top: 1px solid #ddd; padding: .6rem 0; }
.method { display: inline-block; min-width: 4.5rem; font-weight: 600; text-transform: uppercase; }
.role { float: right; font-size: 13px; padding: 0 .5rem; border-radius: 3px; background: #e8f0fe; }
.role.public { background: #e6f4ea; }
table { border-collapse: collapse; } td, th { text-align: left; padding: .2rem .8rem .2rem 0; vertical-align: top; }
</style>
</head>
<body>
<h1>${esc(doc.info.title)} <small>OpenAPI ${esc(doc.openapi)}, ${esc(doc.info.version)}</small></h1>
<p>${prose(doc.info.description)}</p>
<p>The machine-readable document: <a href="/api/openapi.json"><code>/api/openapi.json</code></a>.
Sections: ${tags.map((t) => `<a href="#tag-${esc(t)}">${esc(t)}</a>`).join(' · ')} · <a href="#schemas">schemas</a></p>
${sections.join('\n')}
<h2 id="schemas">Schemas</h2>
${schemas.join('\n')}
</body>
</html>
`;
}

function operation(method: string, path: string, op: OpenApiOperation): string {
  const role = op['x-fleetplane-role'];
  const parts = [
    `<div class="op" id="op-${esc(op.operationId)}">`,
    `<h3><span class="method">${esc(method)}</span> <code>${esc(path)}</code>`,
    role ? `<span class="role">role: ${esc(role)}</span>` : '<span class="role public">public</span>',
    `</h3><p><strong>${esc(op.summary)}</strong></p>`,
    op.description ? `<p>${prose(op.description).replace(/\n\n/g, '</p><p>')}</p>` : '',
  ];
  if (op.parameters?.length) {
    const rows = op.parameters.map(
      (p) =>
        `<tr><td><code>${esc(p.name)}</code></td><td>${p.in}</td><td>${p.required ? 'required' : 'optional'}</td><td>${prose(p.description ?? '')}${json(p.schema)}</td></tr>`,
    );
    parts.push(`<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th></th><th>schema</th></tr>${rows.join('')}</table>`);
  }
  const body = op.requestBody?.content['application/json']?.schema;
  if (body) parts.push(`<h4>Body (application/json)</h4>${json(body)}`);
  const responses = Object.entries(op.responses).map(([status, r]) => {
    const content = Object.entries(r.content ?? {})
      .map(([type, c]) => `<br><code>${esc(type)}</code>${json(c.schema)}`)
      .join('');
    return `<tr><td><strong>${esc(status)}</strong></td><td>${prose(r.description)}${content}</td></tr>`;
  });
  parts.push(`<h4>Responses</h4><table>${responses.join('')}</table></div>`);
  return parts.join('\n');
}

/** A schema as indented JSON, each `$ref` a link to the schema on this page; a bare `$ref` is just the link. */
function json(schema: JsonObject): string {
  const keys = Object.keys(schema);
  if (keys.length === 1 && typeof schema.$ref === 'string') {
    const name = schema.$ref.replace('#/components/schemas/', '');
    return ` <a href="#schema-${esc(name)}">${esc(name)}</a>`;
  }
  const text = esc(JSON.stringify(schema, null, 2));
  return `<pre>${text.replace(/&quot;#\/components\/schemas\/([A-Za-z0-9_]+)&quot;/g, '<a href="#schema-$1">&quot;#/components/schemas/$1&quot;</a>')}</pre>`;
}

/** Escaped text with the descriptions' `code` spans as <code>. */
const prose = (s: string): string => esc(s).replace(/`([^`]+)`/g, '<code>$1</code>');

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
