// Preloaded into the conformance harness (`node --import`): every TCP listen on the
// unspecified address (no host, `0.0.0.0` or `::`) binds 127.0.0.1 instead, so the
// harness's mock servers (client legs) are reachable from this machine only.
//
// The hook sits where Node creates and binds the listening handle
// (`net.Server.prototype._listen2`, Node's `setupListenHandle`), after argument
// normalisation and any DNS lookup. The bind stays synchronous, so the harness's
// `server.listen(0); server.address().port` reads keep working, which rewriting
// `listen()`'s host argument would break (a host makes Node look it up first, so
// `address()` is still null when `listen()` returns).
import net from 'node:net';

const bind = net.Server.prototype._listen2;
if (typeof bind !== 'function') {
  throw new Error('loopback.mjs: net.Server.prototype._listen2 is gone in this Node; update the preload');
}

const UNSPECIFIED = new Set(['0.0.0.0', '::', '::0', '0:0:0:0:0:0:0:0']);

net.Server.prototype._listen2 = function listenOnLoopback(address, port, addressType, backlog, fd, flags) {
  if (typeof fd !== 'number' && (!address || UNSPECIFIED.has(address))) {
    address = '127.0.0.1';
    addressType = 4;
  }
  return bind.call(this, address, port, addressType, backlog, fd, flags);
};
