// The shell around the client core (/core.wasm, docs/client-core.md): it sends the core the
// person's intents and the answers of the effects, performs the effects the core asks for
// (HTTP, navigator.credentials, the Signal API) and hands each view to the page to show. It
// decides nothing: no route, no word, no next step is written here. Whatever the core says that
// this shell does not understand is reported on the page and in the console, never dropped.

import { creationOptionsFromJSON, credentialToJSON, requestOptionsFromJSON } from './webauthn.js';

const SIGNAL_WAIT_MS = 1500; // a provider that never answers a signal is not waited on for long
// Compiled once per page; each part of the page gets an instance of its own.
const compiled = WebAssembly.compileStreaming(fetch('/core.wasm'));

// `machine` names the export a part of a page talks to (docs/client-core.md, "The boundary"):
// messages and answers cross linear memory as JSON text.
async function openCore(machine) {
  const core = (await WebAssembly.instantiate(await compiled, {})).exports;
  return (message) => {
    const bytes = new TextEncoder().encode(JSON.stringify(message));
    const at = core.passkeys_input(bytes.length);
    new Uint8Array(core.memory.buffer, at, bytes.length).set(bytes);
    const length = core[machine](bytes.length);
    return JSON.parse(new TextDecoder().decode(new Uint8Array(core.memory.buffer, core.passkeys_output(), Math.max(length, 0))));
  };
}

// An `http` effect performed; its answer is the message the core expects back.
// `user`: the account the page acts for, refused by the server if the browser's session is another's.
async function performHttp({ id, method, path, body, user }) {
  const headers = { Accept: 'application/json', ...(body === null ? {} : { 'Content-Type': 'application/json' }), ...(user ? { 'Passkeys-User': user } : {}) };
  try {
    const response = await fetch(path, { method, credentials: 'same-origin', headers, body: body ?? undefined });
    return { event: 'http', id, status: response.status, retryAfter: response.headers.get('Retry-After'), body: await response.text() };
  } catch {
    return { event: 'http', id, status: 0, body: '' };
  }
}

export const languages = () => [...(navigator.languages ?? [navigator.language])];

// Focus a view took away (its control removed, hidden, or disabled while a request ran) goes back
// to that control once it can take it again, or else to the heading of its section: never to the
// page's body, where a keyboard or screen reader user would lose their place.
let focused = null; // the control that last had the focus, and its section
document.addEventListener('focusin', (event) => { focused = { control: event.target, section: event.target.closest?.('section') }; });
function keepFocus() {
  if (document.activeElement !== document.body || !focused) return;
  const shown = (element) => (element && !element.closest('[hidden]') ? element : null);
  const gone = !focused.control.isConnected || !shown(focused.control);
  if (!gone && focused.control.disabled) return;
  const heading = gone && (shown(focused.section?.querySelector('h2')) ?? document.querySelector('h1'));
  if (heading) heading.tabIndex = -1;
  (gone ? heading : focused.control)?.focus();
}

// The sign-in flow's first messages: the page's `?next=` (the core decides where it leads), is
// there a session (or, with `?reauthenticate=1`, an application wants a fresh sign-in whether or
// not there is one), and the person's languages.
const signInFlow = (query = new URLSearchParams(window.location.search)) => [{ event: 'page', next: query.get('next') },
  { event: query.get('reauthenticate') === '1' ? 'signInAgain' : 'refresh' }, { event: 'languages', languages: languages() }];

// Starts one machine of the core: `start` are its first messages (by default the sign-in flow's),
// `render(view, core)` shows each view.
export async function startCore({ machine = 'passkeys_send', render, start = signInFlow() }) {
  let exchange;
  let texts = {};
  let passkeyRequest = null; // { controller, settled } of the pending create or get
  const signals = [];

  function report(what, detail) {
    const text = detail ? `${what}: ${typeof detail === 'string' ? detail : JSON.stringify(detail)}` : what;
    console.error(`passkeys core: ${text}`);
    document.getElementById('core-error').textContent = text;
  }

  function send(message) {
    let answer;
    try {
      answer = exchange(message);
    } catch (error) {
      return report(`the core could not take "${message.event}"`, String(error));
    }
    if (answer.error) return report(`the core refused "${message.event}" (${answer.error.code})`, answer.error.message);
    const unknown = Object.keys(answer).filter((key) => !['effects', 'view', 'text'].includes(key));
    if (unknown.length) report('the core answered something this page does not know', unknown.join(', '));
    // Effects first: requests start before the page is drawn, and the signals are under way
    // before a view can lead the page elsewhere.
    for (const effect of answer.effects ?? []) perform(effect);
    if (answer.text) applyTexts(document, answer.text);
    if (!answer.view) return;
    document.documentElement.lang = answer.view.lang;
    try {
      render(answer.view, core);
      keepFocus();
    } catch (error) {
      report('the page could not show the view', String(error));
    }
  }

  // Each element marked data-text="key" shows the core's words for the key (`words`, once they came).
  function applyTexts(root, words = texts) {
    texts = words;
    for (const element of root.querySelectorAll('[data-text]')) {
      const text = texts[element.dataset.text];
      if (text === undefined) report('the core has no words for', element.dataset.text);
      else element.textContent = text;
    }
  }

  async function credential(kind, effect) {
    // The browser takes one request at a time: an aborted one must have ended first.
    await passkeyRequest?.settled;
    const controller = new AbortController();
    const conditional = effect.mediation === 'conditional' ? { mediation: 'conditional' } : {};
    // Options the browser cannot take fail the request like any other error: the core hears of it.
    const settled = Promise.resolve().then(async () => {
      // A browser without conditional create (WebAuthn L3 §5.1.7 capabilities) could show a modal one instead.
      if (kind === 'create' && conditional.mediation && !(await PublicKeyCredential.getClientCapabilities?.())?.conditionalCreate) {
        throw new DOMException('this browser has no conditional create', 'NotSupportedError');
      }
      const publicKey = (kind === 'create' ? creationOptionsFromJSON : requestOptionsFromJSON)(effect.options);
      return navigator.credentials[kind]({ publicKey, signal: controller.signal, ...conditional });
    }).then(
      (answer) => ({ event: kind, credential: answer ? credentialToJSON(answer) : null }),
      (error) => ({ event: kind, error: { name: error?.name ?? 'Error', message: error?.message ?? String(error) } }),
    );
    passkeyRequest = { controller, settled };
    const message = await settled;
    if (passkeyRequest?.controller === controller) passkeyRequest = null;
    // An aborted request's answer is not wanted (docs/client-core.md, "cancel").
    if (!controller.signal.aborted) send(message);
  }

  function signal({ effect, ...details }) {
    const method = window.PublicKeyCredential?.[effect];
    if (typeof method !== 'function') return;
    signals.push(Promise.race([Promise.resolve().then(() => method.call(PublicKeyCredential, details)).catch(() => {}),
      new Promise((resolve) => { setTimeout(resolve, SIGNAL_WAIT_MS); })]));
  }

  function perform(effect) {
    switch (effect.effect) {
      case 'http': performHttp(effect).then(send); break;
      case 'create': case 'get': credential(effect.effect, effect); break;
      case 'cancel': passkeyRequest?.controller.abort(); break;
      case 'signalUnknownCredential': case 'signalAllAcceptedCredentials': case 'signalCurrentUserDetails': signal(effect); break;
      default: report('the core asked for an effect this page does not know', effect);
    }
  }

  performance.mark('passkeys:start');
  try {
    exchange = await openCore(machine);
    performance.mark('passkeys:compiled');
  } catch (error) {
    report('the page could not load /core.wasm', String(error));
    throw error;
  }
  // Intents reach the core after the answer being handled, never in the middle of it.
  const core = {
    send: (message) => queueMicrotask(() => send(message)),
    text: (key) => texts[key] ?? '',
    applyTexts: (root) => applyTexts(root),
    report,
    // Waits for the signals sent so far, so leaving the page does not cut them off.
    settleSignals: () => Promise.all(signals.splice(0)),
  };
  // From the console: passkeysCore.send({event: 'refresh'}) (the sign-in flow; the others by export name).
  window[machine === 'passkeys_send' ? 'passkeysCore' : machine] = core;
  // The first request goes out first; the words are chosen while it is under way.
  for (const message of start) send(message);
  return core;
}

export const autofillAvailable = () => Promise.resolve()
  .then(() => window.PublicKeyCredential?.isConditionalMediationAvailable?.())
  .then((available) => available === true, () => false);

// Marks the page usable, once: the Performance API measures navigation → 'passkeys:ready'.
export function markReady() {
  if (performance.getEntriesByName('passkeys:ready').length === 0) performance.mark('passkeys:ready');
}
