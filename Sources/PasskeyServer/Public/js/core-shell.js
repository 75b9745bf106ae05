// The shell around the client core (/core.wasm, docs/client-core.md): it sends the core the
// person's intents and the answers of the effects, performs the effects the core asks for
// (HTTP, navigator.credentials, the Signal API) and hands each view to the page to show. It
// decides nothing: no route, no word, no next step is written here. Whatever the core says that
// this shell does not understand is reported on the page and in the console, never dropped.

import { openCore, performHttp } from './core-module.js';
import { creationOptionsFromJSON, credentialToJSON, requestOptionsFromJSON } from './webauthn.js';

const SIGNAL_WAIT_MS = 1500; // a provider that never answers a signal is not waited on for long

export async function startCore({ render }) {
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
    exchange = await openCore('passkeys_send');
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
  // From the console: passkeysCore.send({event: 'refresh'}).
  window.passkeysCore = core;
  // The session request goes out first; the words are chosen while it is under way.
  send({ event: 'refresh' });
  send({ event: 'languages', languages: [...(navigator.languages ?? [navigator.language])] });
  return core;
}

export const autofillAvailable = () => Promise.resolve()
  .then(() => window.PublicKeyCredential?.isConditionalMediationAvailable?.())
  .then((available) => available === true, () => false);

// Marks the page usable, once: the Performance API measures navigation → 'passkeys:ready'.
export function markReady() {
  if (performance.getEntriesByName('passkeys:ready').length === 0) performance.mark('passkeys:ready');
}
