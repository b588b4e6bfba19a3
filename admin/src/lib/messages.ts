/** Deep merge of message trees: later trees override earlier ones key by key. */
export function mergeMessages(...trees: object[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const tree of trees) {
    for (const [k, v] of Object.entries(tree)) {
      const prev = out[k];
      out[k] =
        v && typeof v === 'object' && !Array.isArray(v) && prev && typeof prev === 'object'
          ? mergeMessages(prev as object, v as object)
          : v;
    }
  }
  return out;
}

/** Every leaf key of a message tree, dotted ("dwg.map.live"), for checking that locales match. */
export function leafKeys(tree: object, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) =>
    v && typeof v === 'object' ? leafKeys(v as object, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}
