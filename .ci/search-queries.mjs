// A reproducible set of mixed search requests drawn from a site's own text, in each of its
// languages and `all`: words, phrases, what people type while typing, misspellings, accents
// and case, other scripts, punctuation and hostile input, empty queries; pages 1-3, several
// page sizes, facet filters, and a few requests the caller must fix.
import fs from 'node:fs';
import path from 'node:path';

const KINDS = ['word', 'words2', 'words3', 'phrase', 'prefix', 'typing', 'misspelt', 'folded',
  'empty', 'punctuation', 'otherScript', 'absent', 'functionWords', 'long'];
const FUNCTION_WORDS = {
  en: ['the', 'of the', 'and', 'in a', 'to be'], fr: ['de la', 'les', 'et des', "l'"],
  es: ['de los', 'la', 'y el'], ru: ['и в', 'на', 'что это'], ar: ['في', 'من', 'على ان'],
  zh: ['的', '和', '在'],
};
// Words in scripts none of the six languages is written in, and mixed ones.
const FOREIGN = ['δημοκρατία', 'लोकतंत्र', '民主主義です', 'חופש', 'ประชาธิปไตย', 'Ελευθερία123',
  '😀', 'x²', 'ﬁnance', 'ＡＢＣ', 'İstanbul', 'straße'];
const EMPTY = ['', ' ', '   ', '"', '""', '\t', '" "'];

// mulberry32: a small seeded generator, so that the same seed draws the same requests.
function generator(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    unit: next,
    below: (n) => Math.floor(next() * n),
    pick(list) { return list[Math.floor(next() * list.length)]; },
  };
}

function markdownFiles(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...markdownFiles(full));
    else if (entry.name.endsWith('.md')) out.push(full);
  }
  return out;
}

// The words of each page, by language: runs of letters, marks and digits; for Chinese, runs
// of Han characters (cut into words when drawn).
function pagesByLanguage(contentDir, languages, defaultLanguage) {
  const pages = Object.fromEntries(languages.map((l) => [l, []]));
  for (const file of markdownFiles(contentDir)) {
    const parts = path.basename(file).split('.');
    const lang = parts.length >= 3 && languages.includes(parts.at(-2)) ? parts.at(-2) : defaultLanguage;
    if (!pages[lang]) continue;
    let text = fs.readFileSync(file, 'utf8');
    const front = text.match(/^\+\+\+\n([\s\S]*?)\n\+\+\+/);
    if (front) {
      const kept = [...front[1].matchAll(/^(?:title|description)\s*=\s*"(.*)"$/gm)].map((m) => m[1]);
      text = kept.join('\n') + '\n' + text.slice(front[0].length);
    }
    const words = lang.startsWith('zh')
      ? text.match(/[\u3400-\u4dbf\u4e00-\u9fff]+/gu) ?? []
      : (text.match(/[\p{L}\p{M}\p{N}]+/gu) ?? []).filter((w) => !/^\d+$/.test(w));
    if (words.length > 0) pages[lang].push(words);
  }
  return pages;
}

// The `n` commonest words of 4 characters or more in `lang` (Chinese: of 2 characters).
export function commonWords(contentDir, languages, defaultLanguage, lang, n) {
  const counts = new Map();
  for (const page of pagesByLanguage(contentDir, languages, defaultLanguage)[lang] ?? []) {
    for (const run of page) {
      const words = lang.startsWith('zh') ? [...run].slice(1).map((c, i) => run[i] + c) : [run.toLowerCase()];
      for (const w of words) if (lang.startsWith('zh') || [...w].length >= 4) counts.set(w, (counts.get(w) ?? 0) + 1);
    }
  }
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n).map(([w]) => w);
}

export function makeRequests({ contentDir, languages, defaultLanguage, facets, count, seed }) {
  const rng = generator(seed);
  const pages = pagesByLanguage(contentDir, languages, defaultLanguage);
  const written = languages.filter((l) => pages[l].length > 0);
  const chinese = (lang) => lang.startsWith('zh');

  // A stretch of `n` words of a page in `lang` (Chinese: pieces of 2-3 characters of one run).
  const stretch = (lang, n) => {
    const page = rng.pick(pages[lang]);
    if (chinese(lang)) {
      const run = rng.pick(page);
      const words = [];
      let at = rng.below(Math.max(1, run.length - 1));
      for (let i = 0; i < n; i++) {
        const len = 2 + rng.below(2);
        words.push(run.slice(at, at + len) || run);
        at += len;
      }
      return words;
    }
    const start = rng.below(Math.max(1, page.length - n));
    return page.slice(start, start + n);
  };
  const word = (lang) => {
    // Long enough not to be mostly function words, most of the time.
    for (let tries = 0; tries < 5; tries++) {
      const [w] = stretch(lang, 1);
      if (chinese(lang) || [...w].length >= 4) return w;
    }
    return stretch(lang, 1)[0];
  };
  const join = (lang, words) => words.join(chinese(lang) && rng.unit() < 0.5 ? '' : ' ');
  const chars = (w) => [...w];

  const misspell = (w) => {
    const c = chars(w);
    if (c.length < 3) return w + w.at(-1);
    const i = 1 + rng.below(c.length - 2);
    switch (rng.below(3)) {
      case 0: [c[i], c[i + 1]] = [c[i + 1], c[i]]; break;
      case 1: c.splice(i, 1); break;
      default: c.splice(i, 0, c[i]);
    }
    return c.join('');
  };
  const fold = (lang, w) => {
    if (lang === 'fr' || lang === 'es') return rng.unit() < 0.5 ? w.normalize('NFD').replace(/[\u0300-\u036f]/g, '') : w.toUpperCase();
    if (lang === 'ru') return rng.unit() < 0.5 ? w.replace(/е/g, 'ё') : w.toUpperCase();
    if (lang === 'ar') return rng.unit() < 0.5 ? w.replace(/ا/, 'أ') : chars(w).join('\u0640');
    if (chinese(lang)) return w.replace(/[0-9A-Za-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
    return rng.unit() < 0.5 ? w.toUpperCase() : w[0].toUpperCase() + w.slice(1);
  };
  const punctuate = (w, x) => rng.pick([
    `${w}!!!`, `${w}, ${x}; …`, `title:(${w} OR ${x}*) -${x}`, `"${w} ${x}`, `*** ))) ${w}`,
    `${w}\u202e${x}`, `<b>${w}</b> & "${x}"`, `${w}'s`, `${w}-${x}`, `«${w}»`, `\u200b${w}\u200b`,
    `${w}😀`, `'${w}'`, `${w}/${x}`, `#${w} @${x}`, `${w}   `, `(${w})`, `${w}?`, `${w}.${x}`,
    `\\${w}`, `%${w}%`, `${w}&amp;${x}`, `"" ${w} ""`, `${w} AND NOT ${x}`,
  ]);

  const query = (kind, lang) => {
    switch (kind) {
      case 'word': return word(lang);
      case 'words2': return join(lang, [word(lang), word(lang)]);
      case 'words3': return join(lang, stretch(lang, 3));
      case 'phrase': return `"${join(lang, stretch(lang, 2 + rng.below(2)))}"`;
      case 'prefix': {
        const c = chars(word(lang));
        return c.slice(0, 1 + rng.below(Math.max(1, c.length - 1))).join('');
      }
      case 'typing': {
        const [w, x] = stretch(lang, 2);
        const c = chars(x ?? w);
        return `${w} ${c.slice(0, 1 + rng.below(c.length)).join('')}`;
      }
      case 'misspelt': return misspell(word(lang));
      case 'folded': return fold(lang, word(lang));
      case 'empty': return rng.pick(EMPTY);
      case 'punctuation': return punctuate(word(lang), word(lang));
      case 'otherScript': {
        const others = written.filter((l) => l !== lang);
        return rng.unit() < 0.3 || others.length === 0 ? rng.pick(FOREIGN) : word(rng.pick(others));
      }
      case 'absent': return `${word(lang)} zqxwv${rng.below(1000)}`;
      case 'functionWords': {
        const list = FUNCTION_WORDS[lang.split('-')[0]] ?? FUNCTION_WORDS.en;
        return rng.unit() < 0.5 ? rng.pick(list) : `${rng.pick(list)} ${word(lang)}`;
      }
      case 'long': return rng.unit() < 0.5 ? join(lang, stretch(lang, 20)) : word(lang).repeat(60);
      default: throw new Error(kind);
    }
  };

  const filtersFor = (lang) => {
    const available = Object.entries(facets[lang] ?? {}).filter(([, values]) => values.length > 0);
    const r = rng.unit();
    if (r < 0.01) return [['colour', 'red']];
    if (r < 0.03) return [[rng.pick(['kind', 'group', 'theme']), 'no-such-value']];
    if (r > 0.25 || available.length === 0) return [];
    const filters = [];
    for (let i = 0; i < (r < 0.06 ? 2 : 1); i++) {
      const [facet, values] = rng.pick(available);
      filters.push([facet, rng.pick(values)]);
    }
    return filters;
  };

  const cycle = [...written, 'all'];
  const requests = [];
  for (let i = 0; i < count; i++) {
    const lang = cycle[i % cycle.length];
    const kind = KINDS[Math.floor(i / cycle.length) % KINDS.length];
    const textLang = lang === 'all' ? rng.pick(written) : lang;
    const r = rng.unit();
    const request = {
      q: query(kind, textLang),
      lang: r < 0.007 ? 'xx' : lang,
      filters: filtersFor(lang),
      page: r < 0.014 ? 101 : r < 0.7 ? 1 : r < 0.85 ? 2 : 3,
      per_page: rng.unit() < 0.75 ? 10 : rng.pick([1, 3, 5, 20, 50, 100]),
    };
    requests.push({ kind, ...request });
  }
  return requests;
}
