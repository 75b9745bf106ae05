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
async function performHttp(effect) {
  const init = { method: effect.method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (effect.body !== null) {
    init.headers['Content-Type'] = 'application/json';
    init.body = effect.body;
  }
  try {
    const response = await fetch(effect.path, init);
    return {
      event: 'http', id: effect.id, status: response.status,
      retryAfter: response.headers.get('Retry-After'), body: await response.text(),
    };
  } catch {
    return { event: 'http', id: effect.id, status: 0, body: '' };
  }
}

export const languages = () => [...(navigator.languages ?? [navigator.language])];

// Starts one machine of the core: `start` are its first messages (by default the sign-in flow's:
// is there a session, and the person's languages), `render(view, core)` shows each view.
export async function startCore({ machine = 'passkeys_send', render, start = [{ event: 'refresh' }, { event: 'languages', languages: languages() }] }) {
  let exchange;
  let texts = {};
  let passkeyRequest = null; // { controller, settled } of the pending create or get
  const signals = [];

  function report(what, detail) {
    const text = `${what}${detail ? `: ${typeof detail === 'string' ? detail : JSON.stringify(detail)}` : ''}`;
    console.error(`passkeys core: ${text}`);
    document.getElementById('core-error').textContent = text;
  }

  function send(message) {
    let answer;
    try {
      answer = exchange(message);
    } catch (error) {
      report(`the core could not take "${message.event}"`, String(error));
      return;
    }
    if (answer.error) {
      report(`the core refused "${message.event}" (${answer.error.code})`, answer.error.message);
      return;
    }
    for (const key of Object.keys(answer)) {
      if (!['effects', 'view', 'text'].includes(key)) report('the core answered something this page does not know', key);
    }
    // Effects first: requests start before the page is drawn, and the signals are under way
    // before a view can lead the page elsewhere.
    for (const effect of answer.effects ?? []) perform(effect);
    if (answer.text) {
      texts = answer.text;
      applyTexts(document);
    }
    if (answer.view) {
      document.documentElement.lang = answer.view.lang;
      try {
        render(answer.view, core);
      } catch (error) {
        report('the page could not show the view', String(error));
      }
    }
  }

  // Each element marked data-text="key" shows the core's words for the key.
  function applyTexts(root) {
    for (const element of root.querySelectorAll('[data-text]')) {
      const words = texts[element.dataset.text];
      if (words === undefined) report('the core has no words for', element.dataset.text);
      else element.textContent = words;
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
    const done = Promise.race([
      Promise.resolve().then(() => method.call(PublicKeyCredential, details)).catch(() => {}),
      new Promise((resolve) => { setTimeout(resolve, SIGNAL_WAIT_MS); }),
    ]);
    signals.push(done);
  }

  function perform(effect) {
    switch (effect.effect) {
      case 'http': performHttp(effect).then(send); break;
      case 'create': case 'get': credential(effect.effect, effect); break;
      case 'cancel': passkeyRequest?.controller.abort(); break;
      case 'signalUnknownCredential': case 'signalAllAcceptedCredentials': case 'signalCurrentUserDetails':
        signal(effect); break;
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
    applyTexts,
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
