// Runs the phone's form engine (server/phone/frontend/src/forms.js) on cases read from stdin:
// {"definition": {...}, "cases": [{"answers": ..., "photos": ...}]} -> one error list per case on stdout.
import { validate } from "../../server/phone/frontend/src/forms.js";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const { definition, cases } = JSON.parse(input);
process.stdout.write(JSON.stringify(cases.map(({ answers, photos }) => validate(definition, answers, photos))));
