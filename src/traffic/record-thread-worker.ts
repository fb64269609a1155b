/**
 * The entry of the recording thread: the capture writer and the record pipeline (assembling,
 * decoding, redacting, serialising, compressing) run here, so the proxy's thread only forwards.
 * Exchanges arrive in batches; counters go back every 50 ms while they change, and with every
 * answer to `drain` and `close`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { messageOf, UnderstudyError } from '../shared/errors.js';
import { openCaptureWriter, type CaptureWriter } from './capture-writer.js';
import { BodyCopy, type MemoryBudget } from './record-body.js';
import { sessionTokenizer, type RawExchange } from './record-exchange.js';
import { createRecordPipeline, type RecordPipeline } from './record-pipeline.js';
import type {
  FromRecordThread,
  RecordThreadData,
  SentBody,
  SentExchange,
  ThreadStats,
  ToRecordThread,
} from './record-thread-types.js';
import { createRedactor } from './redact.js';

const data = workerData as RecordThreadData;
const port = parentPort!;
const post = (message: FromRecordThread): void => port.postMessage(message);

let received = 0;
let releasedBytes = 0;
// The proxy's thread bounds what it sends by these counters; here every copy is accepted.
const budget: MemoryBudget = {
  take: () => true,
  give(bytes) {
    releasedBytes += bytes;
  },
  used: 0,
};

function bodyCopy(body: SentBody | undefined): BodyCopy | undefined {
  if (body === undefined) return undefined;
  const copy = new BodyCopy(Number.MAX_SAFE_INTEGER, budget);
  if (body.data.byteLength > 0)
    copy.add(Buffer.from(body.data.buffer, body.data.byteOffset, body.data.byteLength));
  copy.size = body.size;
  return copy;
}

function rawExchange(sent: SentExchange): RawExchange {
  const { requestBody, responseBody, ...rest } = sent;
  const request = bodyCopy(requestBody);
  const response = bodyCopy(responseBody);
  return {
    ...rest,
    ...(request === undefined ? {} : { requestBody: request }),
    ...(response === undefined ? {} : { responseBody: response }),
  };
}

async function start(): Promise<{ writer: CaptureWriter; pipeline: RecordPipeline } | undefined> {
  try {
    const key = Buffer.from(data.redaction.key);
    const redact = createRedactor({ ...data.redaction, key });
    const writer = await openCaptureWriter(data.writer);
    const pipeline = createRecordPipeline({
      sink: writer,
      maxPending: Number.MAX_SAFE_INTEGER,
      maxBodyBytes: data.maxBodyBytes,
      redact,
      sessionToken: sessionTokenizer(key),
    });
    return { writer, pipeline };
  } catch (error) {
    post({
      type: 'failed',
      message: messageOf(error),
      ...(error instanceof UnderstudyError
        ? { code: error.code, ...(error.hint === undefined ? {} : { hint: error.hint }) }
        : {}),
    });
    return undefined;
  }
}

const started = await start();
if (started !== undefined) {
  const { writer, pipeline } = started;
  const counters = (): ThreadStats => ({
    stats: pipeline.stats(),
    received,
    settled: received - pipeline.waiting(),
    releasedBytes,
  });
  let last = '';
  const report = setInterval(() => {
    const now = counters();
    const text = JSON.stringify(now);
    if (text === last) return;
    last = text;
    post({ type: 'stats', ...now });
  }, 50);

  port.on('message', (message: ToRecordThread) => {
    switch (message.type) {
      case 'exchanges':
        for (const sent of message.exchanges) {
          received += 1;
          pipeline.submit(rawExchange(sent));
        }
        return;
      case 'drain':
        void pipeline
          .drain(message.timeoutMs)
          .then(() => post({ type: 'drained', id: message.id, ...counters() }));
        return;
      case 'close':
        clearInterval(report);
        void writer.close().then(() => {
          post({ type: 'closed', ...counters() });
          port.close();
        });
        return;
    }
  });
  post({ type: 'ready' });
}
