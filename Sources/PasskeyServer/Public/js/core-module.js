// The client core compiled to WebAssembly (docs/client-core.md): compiled once per page, each
// part of the page gets an instance of its own. `machine` names the export a part talks to
// (`passkeys_send`, `passkeys_security_send`); messages and answers are JSON text.

const compiled = WebAssembly.compileStreaming(fetch('/core.wasm'));

export async function openCore(machine) {
  const core = (await WebAssembly.instantiate(await compiled, {})).exports;
  return (message) => {
    const bytes = new TextEncoder().encode(JSON.stringify(message));
    const at = core.passkeys_input(bytes.length);
    new Uint8Array(core.memory.buffer, at, bytes.length).set(bytes);
    const length = core[machine](bytes.length);
    const answer = new Uint8Array(core.memory.buffer, core.passkeys_output(), Math.max(length, 0));
    return JSON.parse(new TextDecoder().decode(answer));
  };
}

// An `http` effect performed; its answer is the message the core expects back.
export async function performHttp(effect) {
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
