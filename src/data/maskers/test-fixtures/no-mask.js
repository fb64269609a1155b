// A module that forgot to export mask.
export const masked = true;
