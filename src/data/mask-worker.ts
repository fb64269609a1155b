/** The entry of one masking thread: masks the blocks of COPY rows it is sent, in order received. */
import { parentPort, workerData } from 'node:worker_threads';
import { messageOf } from '../shared/errors.js';
import { BlockMasker } from './mask-worker-core.js';
import type { MaskReply, MaskRequest, MaskWorkerData } from './mask-worker-types.js';

const data = workerData as MaskWorkerData;
const masker = new BlockMasker(data.maskerModule, Buffer.from(data.key), data.dir);
const port = parentPort;

port?.on('message', (request: MaskRequest) => {
  const block = Buffer.from(request.data.buffer, request.data.byteOffset, request.data.byteLength);
  masker.mask(request.setId, request.fields, block).then(
    (result) => {
      const reply: MaskReply = { id: request.id, data: result.data, rows: result.rows };
      port.postMessage(reply);
    },
    (error: unknown) => {
      const reply: MaskReply = { id: request.id, error: messageOf(error) };
      port.postMessage(reply);
    },
  );
});
