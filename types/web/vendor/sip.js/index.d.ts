// web/phone.js imports SIP.js as the browser loads it, from /ui/vendor/sip.js/ (src/http/web.ts
// serves the npm package's lib/ there). For the pages' type check that path is this file
// (tsconfig.web.json's rootDirs lays types/web over web/): the package's own declarations.
export * from 'sip.js';
