// fhirclient imports isomorphic-webcrypto, which pulls in hundreds of packages.
// Node 20 and every supported browser already provide Web Crypto.
module.exports = globalThis.crypto;
