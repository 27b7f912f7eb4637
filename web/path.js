// Request paths built from values (a seat id from the address bar, an incident number, a session
// id): each value is one path segment, encoded, so `?seat=1001/../../admin` cannot turn a seat
// action into a request to another route. '.' and '..' are refused outright: the browser's URL
// parser resolves them (even as %2e%2e) before the request leaves.
/** @param {TemplateStringsArray} strings @param {...unknown} values @returns {string} */
export const path = (strings, ...values) =>
  strings.reduce((out, s, i) => {
    if (i === values.length) return out + s;
    const value = String(values[i]);
    if (value === '' || value === '.' || value === '..') throw new Error(`not a valid path segment: "${value}"`);
    return out + s + encodeURIComponent(value);
  }, '');
