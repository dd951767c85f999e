/** Checks the internal links and anchors of every `.html` page under `dir`. */
export function checkSiteLinks(dir: string): {
  pages: number;
  links: number;
  anchors: number;
  broken: { page: string; href: string; problem: 'no such file' | 'no such anchor' }[];
  hierarchyGaps: { page: string; href: string }[];
};
