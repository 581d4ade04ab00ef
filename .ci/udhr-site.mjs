// Writes the UDHR site of tests/search.rs (`write_udhr_site`): one page per article of the
// Universal Declaration of Human Rights, in the six languages of tests/fixtures/udhr.
//   usage: node .ci/udhr-site.mjs OUT_DIR
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const LANGUAGES = ['en', 'fr', 'es', 'ru', 'ar', 'zh'];
const SITE_TOML = 'title = "UDHR"\nbase_url = "https://udhr.example.org"\ndefault_language = "en"\nlanguages = ["en", "fr", "es", "ru", "ar", "zh"]\n\n[search]\nindex = true\n';
// Rust's `split_whitespace` (Unicode White_Space), which JavaScript's \s is not quite.
const WHITE_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u;

function innerText(xml) {
  let text = '', inTag = false;
  for (const c of xml) {
    if (c === '<') inTag = true;
    else if (c === '>') { inTag = false; text += ' '; }
    else if (!inTag) text += c;
  }
  return text.split(WHITE_SPACE).filter((w) => w !== '').join(' ');
}

export function writeUdhrSite(root, udhrDir) {
  fs.mkdirSync(root, { recursive: true });
  fs.writeFileSync(path.join(root, 'site.toml'), SITE_TOML);
  for (const lang of LANGUAGES) {
    let rest = fs.readFileSync(path.join(udhrDir, `${lang}.xml`), 'utf8');
    for (let start; (start = rest.indexOf('<article number="')) >= 0;) {
      const after = rest.slice(start + 17);
      const number = after.slice(0, after.indexOf('"'));
      const end = after.indexOf('</article>');
      const body = after.slice(0, end);
      const a = body.indexOf('<title>'), b = body.indexOf('</title>');
      const [title, paras] = a >= 0 && b >= 0
        ? [innerText(body.slice(a + 7, b)), body.slice(b + 8)]
        : [`Article ${number}`, body];
      const paragraphs = paras.split('</para>').map(innerText).filter((p) => p !== '');
      const suffix = lang === 'en' ? '' : `.${lang}`;
      const file = path.join(root, `content/article-${number.padStart(2, '0')}/index${suffix}.md`);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, `+++\ntitle = "${title.replaceAll('"', "'")}"\nkind = "page"\n+++\n\n${paragraphs.join('\n\n')}\n`);
      rest = after.slice(end);
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.length !== 3) {
    console.error('usage: node .ci/udhr-site.mjs OUT_DIR');
    process.exit(2);
  }
  writeUdhrSite(process.argv[2], path.join(path.dirname(fileURLToPath(import.meta.url)), '../tests/fixtures/udhr'));
}
