#!/usr/bin/env node
/**
 * The build's second step, after tsc: config/schema.json's validator as JavaScript in dist/config/schema-validator.js
 * (ajv's standalone code generation; src/config/validator.ts says why and how the loader picks it). Run by
 * scripts/build.js, `npm run build` and the Dockerfile's build stage.
 */
'use strict';
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const { writeValidator } = require(path.join(root, 'dist', 'config', 'validator.js'));
writeValidator(path.join(root, 'config', 'schema.json'), path.join(root, 'dist', 'config'));
