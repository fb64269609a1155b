/**
 * Column-name signals for the PII scan, pure. A name is split into lower-case words
 * (`eMail` → e, mail; `Ship_PostalCode` → ship, postal, code) and matched against rules in a
 * fixed order, most specific first, so `email_address` is an e-mail and not a street address.
 */
import type { PiiKind } from './scan-kinds.js';

/** One name rule: words joined by `_` must contain `pattern` at word boundaries. */
interface NameRule {
  readonly kind: PiiKind;
  readonly pattern: RegExp;
  readonly score: number;
}

const rule = (kind: PiiKind, words: string, score: number): NameRule => ({
  kind,
  pattern: new RegExp(`(?:^|_)(?:${words})(?:$|_)`),
  score,
});

/** In order: the first rule that matches decides the name's kind. */
const rules: readonly NameRule[] = [
  rule(
    'credential',
    'password|passwd|pwd|passphrase|secret|token|api_?key|access_?key|private_?key|secret_?key|otp_secret|totp|mfa_secret|salt|pepper|refresh_token|session_token|auth_token|password_hash|encrypted_password',
    0.85,
  ),
  rule('email', 'e_?mail|mail|email_?address|e_mail_address|mail_address', 0.85),
  rule(
    'national_id',
    'ssn|social_security(?:_number|_no)?|national_id|national_insurance(?:_number)?|nino|nin|tax_?id|tin|tax_number|passport(?:_number|_no)?|personnummer|bsn|sin|driver_?s?_licen[cs]e(?:_number)?|id_card(?:_number)?|svnr|steuer_?id',
    0.85,
  ),
  rule(
    'payment_card',
    'card_?number|card_no|cc_?num(?:ber)?|cc|credit_?card(?:_number)?|pan|cardnumber',
    0.85,
  ),
  rule('iban', 'iban|bank_account(?:_number|_no)?|account_iban', 0.85),
  rule(
    'ip_address',
    'ip|ip_?addr(?:ess)?|ipv4|ipv6|remote_addr(?:ess)?|remote_ip|client_ip|source_ip|last_login_ip|x_forwarded_for',
    0.8,
  ),
  rule(
    'birth_date',
    'dob|birth_?date|birthdate|date_of_birth|birth_?day|born(?:_on|_at)?|geburtsdatum',
    0.9,
  ),
  rule(
    'phone',
    'phone|telephone|tel|mobile|cell|cellphone|cell_phone|fax|msisdn|phone_?number|contact_number|whatsapp|telefon',
    0.8,
  ),
  rule('postal_code', 'zip|zip_?code|postcode|post_code|postal_?code|postalcode|plz', 0.75),
  rule('city', 'city|town|municipality|locality|ort', 0.7),
  rule(
    'street_address',
    'address|address_?line_?\\d?|address\\d|addr|street|street_address|house_number|strasse|adresse',
    0.75,
  ),
  rule('first_name', 'first_?name|fname|given_?name|forename|vorname|prenom|middle_?name', 0.8),
  rule('last_name', 'last_?name|lname|surname|family_?name|nachname|maiden_?name', 0.8),
  rule(
    'full_name',
    'full_?name|contact_?name|customer_?name|display_?name|person_?name|ship_name|recipient_?name|billing_name|shipping_name|cardholder(?:_name)?|owner_name|employee_name|author_name|patient_name|member_name|contact_person|real_name',
    0.75,
  ),
  rule('username', 'user_?name|login|handle|screen_name|nick_?name|nick|user_login', 0.65),
  rule(
    'company',
    'company(?:_name)?|employer|organi[sz]ation(?:_name)?|org_name|business_name',
    0.5,
  ),
  rule(
    'photo',
    'photo|avatar|portrait|selfie|profile_(?:picture|image|photo)|headshot|face_image',
    0.6,
  ),
  rule(
    'free_text',
    'notes?|comments?|remarks?|memo|bio|biography|about|message|body|feedback|free_text|annotation',
    0.5,
  ),
];

/** Last words that say a column describes a value rather than holding it (`email_verified`). */
const describingLast = new Set([
  'id',
  'ids',
  'uuid',
  'at',
  'count',
  'verified',
  'confirmed',
  'enabled',
  'type',
  'kind',
  'status',
  'flag',
  'sent',
  'length',
  'expires',
  'expiry',
  'ttl',
  'policy',
  'required',
  'changed',
  'updated',
  'version',
  'format',
  'provider',
  'domain',
  'visible',
  'public',
  'opt',
  'optin',
  'consent',
]);
/** Describing last words for photos only: a path or URL to a picture is not the picture. */
const photoDescribing = new Set(['path', 'url', 'file', 'filename', 'size', 'width', 'height']);

/** Words that mark a column as ordinary business data when nothing personal is in its name. */
const quietWords =
  /(?:^|_)(?:id|ids|uuid|key|code|sku|slug|status|state|type|kind|count|qty|quantity|amount|price|total|cost|rate|discount|tax|freight|currency|created|updated|deleted|modified|at|on|timestamp|version|product|category|item|sku|order|invoice|description|title|label|region|country|territory|language|locale)(?:$|_)/;

/** Qualifiers of `…_name` that name a thing, not a person. */
const thingNames =
  /(?:^|_)(?:product|category|company|table|column|file|host|domain|brand|item|state|country|region|city|street|territory|schema|event|plan|role|group|team|project|service|app|feature|tag|model|type|kind|display_?type|shipper|supplier|vendor|store|shop|warehouse)_name$/;

/** Lower-case words of a column name, joined by `_`. */
export function nameWords(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Za-z])(\d)/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '')
    .join('_');
}

/** The personal-data kind a column's name suggests, with its score and why. */
export function kindFromName(
  column: string,
): { readonly kind: PiiKind; readonly score: number; readonly evidence: string } | undefined {
  const words = nameWords(column);
  const last = words.slice(words.lastIndexOf('_') + 1);
  if (describingLast.has(last) && words.includes('_')) return undefined;
  if (/^(?:is|has|can|should|allow)_/.test(words)) return undefined;
  for (const r of rules) {
    if (!r.pattern.test(words)) continue;
    if (r.kind === 'photo' && photoDescribing.has(last)) return undefined;
    return { kind: r.kind, score: r.score, evidence: `name "${column}" suggests ${r.kind}` };
  }
  return undefined;
}

/** The name says the column is ordinary business data (ids, amounts, codes, timestamps, …). */
export function isQuietName(column: string): boolean {
  return quietWords.test(nameWords(column));
}

/** The column is `name` or `…_name` and the qualifier does not name a thing (product, category, …). */
export function isPersonNameCandidate(column: string): boolean {
  const words = nameWords(column);
  return (words === 'name' || words.endsWith('_name')) && !thingNames.test(words);
}

/** Table names that hold people: a bare `name` column there is a person's name. */
export function isPersonTable(table: string): boolean {
  const words = nameWords(table.slice(table.lastIndexOf('.') + 1));
  return /(?:^|_)(?:users?|customers?|clients?|people|persons?|employees?|members?|contacts?|accounts?|authors?|patients?|students?|staff|guests?|applicants?|candidates?|subscribers?|owners?|profiles?|drivers?|recipients?)$/.test(
    words,
  );
}
