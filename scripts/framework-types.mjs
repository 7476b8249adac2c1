// React 19 and Vue 3 declarations for the custom elements of a package, made from its
// custom-elements.json (which `cem analyze` writes just before this runs: the element package's
// `analyze` script, part of `npm run build`). Written to dist/react.d.ts and dist/vue.d.ts, which the
// package exports as `@whatsup/presence/react` and `@whatsup/presence/vue` (types only).
//
//   node scripts/framework-types.mjs [package folder, default: the current one]
//
// The types of the properties and events are not copied from the manifest (its types are text, and
// name types it does not export): each is looked up on the element's own class and on
// HTMLElementEventMap, so they are exactly what the element declares. The manifest says which names
// there are: public fields that are not read-only, attributes with the field they set, events.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const dir = resolve(process.argv[2] ?? '.');
const manifest = JSON.parse(readFileSync(join(dir, 'custom-elements.json'), 'utf8'));

// React keeps these props for itself and never hands them to the element.
const REACT_RESERVED = new Set(['key', 'ref', 'children', 'dangerouslySetInnerHTML']);

const kebab = (name) => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
const quote = (name) => `'${name}'`;
const doc = (text, indent = '  ') =>
  text ? `${indent}/** ${text.replace(/\*\//g, '*\\/').replace(/\s*\n\s*/g, ' ')} */\n` : '';

/** Every custom element the manifest declares, with what a framework needs to know of it. */
function elements() {
  return manifest.modules.flatMap((module) =>
    (module.declarations ?? [])
      .filter((d) => d.kind === 'class' && (d.customElement || d.tagName))
      .map((d) => {
        const fields = (d.members ?? []).filter(
          (m) =>
            m.kind === 'field' &&
            !m.static &&
            !m.readonly &&
            (m.privacy ?? 'public') === 'public' &&
            !/^[_#]/.test(m.name),
        );
        const settable = new Set(fields.map((f) => f.name));
        return {
          className: d.name,
          // a tag registered by a define() function is not in the manifest: the class name, kebab-cased
          tag: d.tagName ?? kebab(d.name),
          description: d.summary ?? d.description ?? '',
          fields,
          attributes: (d.attributes ?? []).filter((a) => a.fieldName && settable.has(a.fieldName)),
          events: (d.events ?? []).filter((e) => e.name),
        };
      }),
  );
}

const list = elements();
if (list.length === 0) throw new Error(`${join(dir, 'custom-elements.json')} declares no custom element`);

const header = (framework) =>
  `// ${framework} declarations for ${list.map((e) => `<${e.tag}>`).join(', ')}, generated from custom-elements.json\n` +
  '// by scripts/framework-types.mjs: do not edit. Types come from the element classes themselves.\n';

function react() {
  let out = header('React 19 JSX');
  out += "import type { DetailedHTMLProps, HTMLAttributes } from 'react';\n";
  out += `import type { ${list.map((e) => e.className).join(', ')} } from './index.js';\n\n`;
  for (const e of list) {
    const T = e.className;
    const props = e.fields.filter((f) => !REACT_RESERVED.has(f.name));
    const attributes = e.attributes.filter((a) => !REACT_RESERVED.has(a.name));
    out += `/** \`<${e.tag}>\` in JSX: its properties (camelCase, set as properties once the element is defined), its attributes (kebab-case, as in HTML) and \`on\` + each event's name (React 19 adds it with addEventListener). */\n`;
    out += `export interface ${T}JsxProps extends DetailedHTMLProps<HTMLAttributes<${T}>, ${T}> {\n`;
    for (const f of props) out += doc(f.description) + `  ${f.name}?: ${T}[${quote(f.name)}];\n`;
    for (const a of attributes.filter((a) => a.name !== a.fieldName))
      out += doc(a.description) + `  ${quote(a.name)}?: ${T}[${quote(a.fieldName)}];\n`;
    for (const ev of e.events)
      out +=
        doc(ev.description) +
        `  ${quote(`on${ev.name}`)}?: (event: HTMLElementEventMap[${quote(ev.name)}]) => void;\n`;
    out += '}\n\n';
  }
  out += "declare module 'react' {\n  namespace JSX {\n    interface IntrinsicElements {\n";
  for (const e of list) out += `      ${quote(e.tag)}: ${e.className}JsxProps;\n`;
  out += '    }\n  }\n}\n';
  return out;
}

function vue() {
  let out = header('Vue 3 template');
  out += "import type { EmitFn, HTMLAttributes, PublicProps } from 'vue';\n";
  out += `import type { ${list.map((e) => e.className).join(', ')} } from './index.js';\n\n`;
  // The shape Vue's guide gives for custom elements ("Web Components and TypeScript"): $props and
  // $emit are read by the template type checker (vue-tsc, Volar) only.
  out += `type DefineCustomElement<Element extends HTMLElement, Props, Events extends Record<string, Event>> = new () => Element & {
  /** @deprecated For template type checking only: not a property of the element. */
  $props: HTMLAttributes & Props & PublicProps;
  /** @deprecated For template type checking only: the element fires these as DOM events. */
  $emit: EmitFn<{ [K in keyof Events]: (event: Events[K]) => void }>;
};\n\n`;
  for (const e of list) {
    const T = e.className;
    out += `/** \`<${e.tag}>\`'s settings in a template (\`auth-endpoint\` or \`authEndpoint\`; Vue sets a property when the element has it). */\n`;
    out += `export type ${T}VueProps = Partial<Pick<${T}, ${e.fields.map((f) => quote(f.name)).join(' | ') || 'never'}>>;\n`;
    out += `/** \`<${e.tag}>\`'s events (\`@${e.events[0]?.name ?? 'event'}="…"\`). */\n`;
    out += `export type ${T}VueEvents = {\n`;
    for (const ev of e.events)
      out += doc(ev.description) + `  ${quote(ev.name)}: HTMLElementEventMap[${quote(ev.name)}];\n`;
    out += '};\n\n';
  }
  out += "declare module 'vue' {\n  interface GlobalComponents {\n";
  for (const e of list)
    out += `    ${quote(e.tag)}: DefineCustomElement<${e.className}, ${e.className}VueProps, ${e.className}VueEvents>;\n`;
  out += '  }\n}\n';
  return out;
}

mkdirSync(join(dir, 'dist'), { recursive: true });
writeFileSync(join(dir, 'dist', 'react.d.ts'), react());
writeFileSync(join(dir, 'dist', 'vue.d.ts'), vue());
