/** Instrumentation scope name and version. */
export const PACKAGE_NAME = '@threadline/keyv';
// Stamped from package.json by the build (tsup `define`); `dev` when running from sources (tests).
declare const __THREADLINE_PACKAGE_VERSION__: string | undefined;
export const PACKAGE_VERSION = typeof __THREADLINE_PACKAGE_VERSION__ === 'string' ? __THREADLINE_PACKAGE_VERSION__ : 'dev';
