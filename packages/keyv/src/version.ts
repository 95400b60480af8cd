/** Instrumentation scope name and version (kept in step with package.json by the release). */
export const PACKAGE_NAME = '@threadline/keyv';
export const PACKAGE_VERSION = '0.0.0';
