// The settings strip: each control sets one attribute of the panel, live, and is kept in the URL
// (?lang=fr&variant=stack&theme=dark&idle-after=10) so a link shows the panel as it was set.
// A language other than English loads its pack (served by server.js) first.
const panel = document.querySelector('whatsup-presence');
const form = document.querySelector('.settings');
const defaults = { lang: 'en', variant: 'list', theme: 'auto', 'idle-after': '300' };
const loaded = new Set(['en']);

function loadPack(lang) {
  if (loaded.has(lang)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = `/locales/${lang}.bundle.min.js`;
    script.onload = () => {
      loaded.add(lang);
      resolve();
    };
    script.onerror = reject;
    document.head.append(script);
  });
}

async function apply(name, value) {
  const select = form.elements.namedItem(name);
  // Only the values the strip offers: a URL cannot load any other script.
  if (![...select.options].some((option) => option.value === value)) value = defaults[name];
  select.value = value;
  if (name === 'lang') {
    await loadPack(value).catch(() => (value = 'en'));
    if (value === 'en') panel.removeAttribute('lang');
    else panel.setAttribute('lang', value);
  } else panel.setAttribute(name, value);
}

const params = new URLSearchParams(location.search);
for (const name of Object.keys(defaults)) void apply(name, params.get(name) ?? defaults[name]);

form.addEventListener('change', (event) => {
  const { name, value } = event.target;
  void apply(name, value);
  const url = new URL(location.href);
  if (value === defaults[name]) url.searchParams.delete(name);
  else url.searchParams.set(name, value);
  history.replaceState(null, '', url);
});
