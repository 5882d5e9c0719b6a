// Who is signed in. The ID token lives in memory and in sessionStorage (this tab only,
// gone when it closes); never in localStorage. AWS: Cognito hosted UI, authorization
// code + PKCE, no client secret. Local: the dev sign-in page of the local stack.
const TOKEN_KEY = "kg.token";
const PKCE_KEY = "kg.pkce";
const RETURN_KEY = "kg.return";
const EXPIRED_KEY = "kg.expired";

let config = null;
let token = null;

export function configure(appConfig) {
  config = appConfig;
  token = sessionStorage.getItem(TOKEN_KEY);
}

function b64urlDecode(part) {
  const padded = part.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((part.length + 3) % 4);
  const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

function b64url(bytes) {
  let text = "";
  for (const b of new Uint8Array(bytes)) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The claims of the current token, or null when there is none or it has expired. */
export function session() {
  if (!token) return null;
  let claims;
  try {
    claims = b64urlDecode(token.split(".")[1]);
  } catch {
    return null;
  }
  if (typeof claims.exp === "number" && claims.exp * 1000 <= Date.now()) return null;
  return {
    sub: claims.sub,
    role: claims["custom:role"] || claims.role,
    unitId: claims["custom:unit_id"] || claims.unit_id || null,
    name: claims.name || claims.email || claims["cognito:username"] || claims.sub,
    expiresAt: typeof claims.exp === "number" ? new Date(claims.exp * 1000) : null,
  };
}

export function bearer() {
  return session() ? token : null;
}

function store(next) {
  token = next;
  if (next) sessionStorage.setItem(TOKEN_KEY, next);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** Set by the dev sign-in page (same origin) or after the Cognito code exchange. */
export function acceptToken(next) {
  store(next);
  sessionStorage.removeItem(EXPIRED_KEY);
}

/** True once, after signIn({expired: true}): the sign-in page says why the user is back. */
export function wasExpired() {
  return sessionStorage.getItem(EXPIRED_KEY) === "1";
}

/** Leave for the sign-in page; come back to the current address afterwards. */
export function signIn({ expired = false } = {}) {
  store(null);
  if (expired) sessionStorage.setItem(EXPIRED_KEY, "1");
  sessionStorage.setItem(RETURN_KEY, window.location.hash || "#/");
  const auth = config.auth || {};
  if (auth.type === "cognito") {
    startCognito(auth);
  } else {
    const url = new URL(auth.sign_in_url || "/dev/sign-in", window.location.href);
    url.searchParams.set("next", window.location.hash || "#/");
    if (expired) url.searchParams.set("expired", "1");
    window.location.assign(url.toString());
  }
}

export function signOut() {
  store(null);
  const auth = config.auth || {};
  if (auth.type === "cognito") {
    const url = new URL("/logout", auth.domain);
    url.searchParams.set("client_id", auth.client_id);
    url.searchParams.set("logout_uri", auth.logout_uri || auth.redirect_uri);
    window.location.assign(url.toString());
  } else {
    window.location.assign(new URL(auth.sign_in_url || "/dev/sign-in", window.location.href).toString());
  }
}

async function startCognito(auth) {
  const verifier = b64url(crypto.getRandomValues(new Uint8Array(48)));
  const state = b64url(crypto.getRandomValues(new Uint8Array(16)));
  const challenge = b64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state }));
  const url = new URL("/oauth2/authorize", auth.domain);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: auth.client_id,
    redirect_uri: auth.redirect_uri,
    scope: (auth.scopes || ["openid", "email", "profile"]).join(" "),
    state,
    code_challenge_method: "S256",
    code_challenge: challenge,
  }).toString();
  window.location.assign(url.toString());
}

/**
 * Back from the hosted UI with ?code=…&state=…: exchange the code (PKCE, no secret) for
 * tokens and drop the code from the address. Returns the hash to open, or null.
 */
export async function completeSignIn() {
  const params = new URLSearchParams(window.location.search);
  const code = params.get("code");
  if (!code || !config.auth || config.auth.type !== "cognito") return null;
  const saved = JSON.parse(sessionStorage.getItem(PKCE_KEY) || "null");
  sessionStorage.removeItem(PKCE_KEY);
  window.history.replaceState(null, "", window.location.pathname);
  if (!saved || saved.state !== params.get("state")) {
    throw new Error("sign-in state mismatch");
  }
  const auth = config.auth;
  const response = await fetch(new URL("/oauth2/token", auth.domain), {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: auth.client_id,
      code,
      redirect_uri: auth.redirect_uri,
      code_verifier: saved.verifier,
    }),
  });
  if (!response.ok) throw new Error(`token exchange failed (${response.status})`);
  const tokens = await response.json();
  // The API reads custom:role and custom:unit_id, which Cognito puts in the ID token.
  acceptToken(tokens.id_token);
  const back = sessionStorage.getItem(RETURN_KEY) || "#/";
  sessionStorage.removeItem(RETURN_KEY);
  return back;
}

/** Where to go after a dev sign-in (the dev page passes ?next back in the hash). */
export function takeReturn() {
  const back = sessionStorage.getItem(RETURN_KEY);
  sessionStorage.removeItem(RETURN_KEY);
  return back;
}
