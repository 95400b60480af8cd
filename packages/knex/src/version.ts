export const PACKAGE_NAME = '@threadline/knex';
export const PACKAGE_VERSION = '0.0.0';
