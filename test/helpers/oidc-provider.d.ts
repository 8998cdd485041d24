// oidc-provider ships no type declarations; the test helper (oidc.ts) uses a small part of it.
declare module 'oidc-provider';
