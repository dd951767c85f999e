// The link check of the documentation site that `npm run docs` writes to docs/api/: every
// internal link (`href`, `src`) of every page must reach a file, and an anchor on an HTML page
// must be an `id` or `name` there. External links (a scheme such as https:, mailto:) are not
// followed. A link out of the site into the checkout (TypeDoc's "Defined in lib/…#L12") must
// reach the file; its line anchor is not an HTML anchor and is not checked.
//   node scripts/site-links.mjs [dir]     exits 1 listing each broken link with its page
// Plain Node (no import.meta in the exported function): the spec loads it compiled by Jest.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { inflateSync } from 'node:zlib';

const ENTITIES = { '&amp;': '&', '&quot;': '"', '&#39;': "'", '&lt;': '<', '&gt;': '>' };
const decode = (text) => text.replace(/&(amp|quot|#39|lt|gt);/g, (e) => ENTITIES[e]);

function pagesOf(dir) {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.html'))
    .sort();
}

/** The ids and names a page defines, read once per page. */
function anchorsIn(file, cache) {
  if (!cache.has(file)) {
    const html = readFileSync(file, 'utf8');
    const ids = new Set([...html.matchAll(/\s(?:id|name)="([^"]*)"/g)].map((m) => decode(m[1])));
    for (const id of scriptedAnchors(file)) ids.add(id);
    cache.set(file, ids);
  }
  return cache.get(file);
}

/**
 * TypeDoc's hierarchy page draws its trees with a script from assets/hierarchy.js, and each type
 * page links to its own place there (`hierarchy.html#smart-flows-rx/angular.WatchRequest`):
 * those anchors are the types the script's data holds, named as their page is
 * (`interfaces/smart-flows-rx_angular.WatchRequest.html`) with `/` for `_`.
 */
function scriptedAnchors(file) {
  const data = join(dirname(file), 'assets', 'hierarchy.js');
  if (!file.endsWith(`${sep}hierarchy.html`) || !existsSync(data)) return [];
  const packed = /"([A-Za-z0-9+/=]+)"/.exec(readFileSync(data, 'utf8'))?.[1] ?? '';
  const { reflections = {} } = JSON.parse(inflateSync(Buffer.from(packed, 'base64')).toString('utf8'));
  return Object.values(reflections).flatMap(({ url }) => {
    const page = /([^/]+)\.html$/.exec(url ?? '')?.[1];
    return page ? [page, page.replace(/^([^.]+)/, (module) => module.replaceAll('_', '/'))] : [];
  });
}

/**
 * Checks the links of every `.html` page under `dir`.
 * @returns pages and links checked, how many of them had an anchor, each broken one, and each
 *   link into TypeDoc's hierarchy page at a type it does not draw
 */
export function checkSiteLinks(dir) {
  const cache = new Map();
  const broken = [];
  const hierarchyGaps = [];
  let links = 0;
  let anchors = 0;
  const pages = pagesOf(dir);
  for (const page of pages) {
    const file = join(dir, page);
    const html = readFileSync(file, 'utf8');
    for (const [, raw] of html.matchAll(/\s(?:href|src)="([^"]*)"/g)) {
      const href = decode(raw);
      if (/^[a-z][a-z0-9+.-]*:/i.test(href)) continue; // https:, mailto:, data:, javascript:
      links += 1;
      const hash = href.indexOf('#');
      const path = (hash < 0 ? href : href.slice(0, hash)).replace(/\?.*$/, '');
      const fragment = hash < 0 ? '' : decodeURIComponent(href.slice(hash + 1));
      const target = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
      const where = relative(dir, file).split(sep).join('/');
      if (!existsSync(target) || (statSync(target).isDirectory() && !existsSync(join(target, 'index.html')))) {
        broken.push({ page: where, href, problem: 'no such file' });
        continue;
      }
      if (!fragment) continue;
      const html = statSync(target).isDirectory() ? join(target, 'index.html') : target;
      // A source file's #L12 and the icons of TypeDoc's SVG sprite are not page anchors; a bare "#" is the top.
      if (!html.endsWith('.html')) continue;
      anchors += 1;
      if (anchorsIn(html, cache).has(fragment)) continue;
      // TypeDoc links every type that extends another to its place in the hierarchy page, also
      // one whose parent is a type alias, which the page does not draw (angular's WatchRequest
      // extends WatchOptions): the page opens at its top. Listed, not failed: TypeDoc writes it.
      if (html.endsWith(`${sep}hierarchy.html`) && existsSync(join(dirname(html), 'assets', 'hierarchy.js'))) hierarchyGaps.push({ page: where, href });
      else broken.push({ page: where, href, problem: 'no such anchor' });
    }
  }
  return { pages: pages.length, links, anchors, broken, hierarchyGaps };
}

if (process.argv[1]?.endsWith(`${sep}site-links.mjs`)) {
  const dir = resolve(process.argv[2] ?? 'docs/api');
  if (!existsSync(join(dir, 'index.html'))) {
    console.error(`site-links: no site in ${relative(process.cwd(), dir)}/ (run npm run docs first)`);
    process.exit(1);
  }
  const { pages, links, anchors, broken, hierarchyGaps } = checkSiteLinks(dir);
  for (const b of broken) console.error(`  ${b.page}: ${b.href} (${b.problem})`);
  for (const g of hierarchyGaps) console.log(`  ${g.page}: ${g.href} (a type TypeDoc's hierarchy page does not draw; the page opens at its top)`);
  console.log(`site links: ${pages} pages, ${links} internal links (${anchors} with an anchor), ${broken.length} broken, ${hierarchyGaps.length} into types the hierarchy page does not draw`);
  if (broken.length) process.exit(1);
}
