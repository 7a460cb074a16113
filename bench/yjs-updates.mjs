// Prints the Yjs updates that `cargo xtask bench footprint` sends into a
// y-websocket room, one round per line: the update a client sends, a space,
// and the update the server broadcasts after applying it (both in hex).
//
// The server keeps its own Y.Doc and broadcasts what applying an update
// changed in it, re-encoded; a second doc that applies the same updates in
// the same order yields those exact bytes, so the bench can recognise the
// broadcast byte for byte.
import * as Y from 'yjs'

const rounds = Number.parseInt(process.argv[2] ?? '20', 10)
const client = new Y.Doc()
const server = new Y.Doc()
const hex = (bytes) => Buffer.from(bytes).toString('hex')

let sent = null
let broadcast = null
client.on('update', (update) => { sent = update })
server.on('update', (update) => { broadcast = update })

const text = client.getText('bench')
for (let round = 0; round < rounds; round++) {
  text.insert(text.length, String.fromCharCode(97 + (round % 26)))
  Y.applyUpdate(server, sent)
  console.log(`${hex(sent)} ${hex(broadcast)}`)
}
