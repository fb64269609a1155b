/** The kinds of personal or secret data the scan recognises, and the masker each suggests. */
import type { MaskerName } from './data-types.js';

/** A kind of personal or secret data. */
export type PiiKind =
  | 'email'
  | 'first_name'
  | 'last_name'
  | 'full_name'
  | 'phone'
  | 'street_address'
  | 'city'
  | 'postal_code'
  | 'birth_date'
  | 'national_id'
  | 'payment_card'
  | 'iban'
  | 'ip_address'
  | 'username'
  | 'company'
  | 'photo'
  | 'free_text'
  | 'credential';

/**
 * The masker suggested for each kind. Free text that contains personal data is redacted;
 * credentials are replaced by a keyed hash (irreversible, and valid in NOT NULL columns); a
 * photo is dropped (`null`), since no masker can make a face anonymous.
 */
export const suggestedMaskers: Readonly<Record<PiiKind, MaskerName>> = {
  email: 'email',
  first_name: 'first_name',
  last_name: 'last_name',
  full_name: 'full_name',
  phone: 'phone',
  street_address: 'street_address',
  city: 'city',
  postal_code: 'postal_code',
  birth_date: 'birth_date',
  national_id: 'national_id',
  payment_card: 'payment_card',
  iban: 'iban',
  ip_address: 'ip_address',
  username: 'username',
  company: 'company',
  photo: 'null',
  free_text: 'redact_text',
  credential: 'hash',
};
