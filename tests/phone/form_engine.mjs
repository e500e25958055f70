// Runs the phone's form engine (server/phone/frontend/src/forms.js) on cases read from stdin:
// {"definition": {...}, "cases": [{"answers": ..., "photos": ...}]} -> per case, the errors and the answers as
// the phone would save them (hidden and blank ones dropped), on stdout.
import { pruneAnswers, validate } from "../../server/phone/frontend/src/forms.js";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const { definition, cases } = JSON.parse(input);
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
process.stdout.write(JSON.stringify(cases.map(({ answers, photos }) => ({
  errors: validate(definition, answers, photos),
  saved: isObject(answers) ? pruneAnswers(definition, answers) : null,
}))));
