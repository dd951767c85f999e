import { describe, expect, it } from '@jest/globals';
import {
  AUTO_WAIT_SECONDS, createHoldMemory, firstDelayMs, holdForPoll, type HoldObservation, type HoldVerdict, holdToAsk, judgeHold, keepVerdict, nextHold, QUICK_NEWS_LIMIT, REPROBE_AFTER_MS,
  showsHold, verdictAt,
} from '../../lib/execution/holdPolicy';

const seen = (askedSeconds: number, answeredAfterMs: number, changed: boolean): HoldObservation => ({ askedSeconds, answeredAfterMs, changed });
/** `polling.intervalMs` in these tables (the default). */
const INTERVAL = 900;

describe('holdToAsk: the hold the next progress request asks for', () => {
  it.each<[number | 'auto', HoldVerdict, number]>([
    ['auto', 'unknown', AUTO_WAIT_SECONDS],
    ['auto', 'holds', AUTO_WAIT_SECONDS],
    ['auto', 'answersAtOnce', 0],
    [0, 'unknown', 0],
    [0, 'holds', 0],
    [10, 'answersAtOnce', 10],
    [10, 'unknown', 10],
  ])('waitSeconds %j with verdict %s asks %d s', (setting, verdict, seconds) => {
    expect(holdToAsk(setting, verdict)).toBe(seconds);
  });

  it('asks 30 s in auto mode, the documented default', () => {
    expect(AUTO_WAIT_SECONDS).toBe(30);
  });
});

describe('showsHold and judgeHold: what one answer tells about the server', () => {
  it.each<[string, HoldObservation, boolean]>([
    ['held most of the asked time, no change', seen(30, 29_990, false), true],
    ['held half the asked time, no change (a server capping holds)', seen(30, 15_000, false), true],
    ['answered at once, no change', seen(30, 4, false), false],
    ['answered after 14.9 s of 30, no change', seen(30, 14_900, false), false],
    ['answered with a change after intervalMs (the hold ended at it)', seen(30, 1_200, true), true],
    // Before issue 24 item 7: true, so a server whose message changes on every read was polled again at once, ~100 times a second.
    ['answered at once with a change (a server that never holds looks the same)', seen(30, 700, true), false],
    ['asked for no hold, answered late', seen(0, 30_000, false), false],
    ['asked for no hold, with a change', seen(0, 3, true), false],
  ])('%s: shows a hold = %s', (_name, observation, held) => {
    expect(showsHold(observation, INTERVAL)).toBe(held);
  });

  it.each<[HoldVerdict, HoldObservation, HoldVerdict]>([
    ['unknown', seen(30, 30_000, false), 'holds'],
    ['unknown', seen(30, 1_200, true), 'holds'],
    ['unknown', seen(30, 800, true), 'unknown'],
    ['unknown', seen(30, 5, false), 'answersAtOnce'],
    ['holds', seen(30, 5, false), 'answersAtOnce'],
    ['holds', seen(30, 2_000, true), 'holds'],
    // final: a late answer to a request sent before the verdict must not flip it back
    ['answersAtOnce', seen(30, 30_000, false), 'answersAtOnce'],
    ['answersAtOnce', seen(30, 300, true), 'answersAtOnce'],
    // a request that asked for no hold tells nothing
    ['unknown', seen(0, 1, false), 'unknown'],
    ['holds', seen(0, 1, false), 'holds'],
  ])('%s, then %o → %s', (verdict, observation, next) => {
    expect(judgeHold(verdict, observation, INTERVAL)).toBe(next);
  });
});

describe('nextHold: the step after each answer', () => {
  it('auto against a server that holds: keeps asking 30 s and asks again at once', () => {
    expect(nextHold('auto', 'unknown', seen(30, 1_200, true), INTERVAL)).toEqual({ verdict: 'holds', waitSeconds: 30, atOnce: true, quickNews: 0 });
    expect(nextHold('auto', 'holds', seen(30, 30_001, false), INTERVAL)).toEqual({ verdict: 'holds', waitSeconds: 30, atOnce: true, quickNews: 0 });
  });

  it('auto against a server that answers at once: stops asking, and nothing goes at once (no extra request)', () => {
    expect(nextHold('auto', 'unknown', seen(30, 3, false), INTERVAL)).toEqual({ verdict: 'answersAtOnce', waitSeconds: 0, atOnce: false, quickNews: 0 });
    // after the verdict, a change no longer makes the next poll go at once
    expect(nextHold('auto', 'answersAtOnce', seen(0, 3, true), INTERVAL)).toEqual({ verdict: 'answersAtOnce', waitSeconds: 0, atOnce: false, quickNews: 0 });
  });

  it('auto, a quick answer with a change (a server that never holds, a message that changes on every read): nothing at once, no verdict', () => {
    // Before issue 24 item 7: { verdict: 'holds', waitSeconds: 30, atOnce: true }, again after every such answer.
    expect(nextHold('auto', 'unknown', seen(30, 2, true), INTERVAL)).toEqual({ verdict: 'unknown', waitSeconds: 30, atOnce: false, quickNews: 0 });
    expect(nextHold('auto', 'unknown', seen(30, 2, false), INTERVAL)).toEqual({ verdict: 'answersAtOnce', waitSeconds: 0, atOnce: false, quickNews: 0 });
  });

  it('a number setting keeps asking it whatever the verdict, at once only after a hold or news', () => {
    expect(nextHold(5, 'unknown', seen(5, 3, false), INTERVAL)).toEqual({ verdict: 'answersAtOnce', waitSeconds: 5, atOnce: false, quickNews: 0 });
    expect(nextHold(5, 'answersAtOnce', seen(5, 5_000, false), INTERVAL)).toEqual({ verdict: 'answersAtOnce', waitSeconds: 5, atOnce: true, quickNews: 0 });
    expect(nextHold(0, 'unknown', seen(0, 3, true), INTERVAL)).toEqual({ verdict: 'unknown', waitSeconds: 0, atOnce: false, quickNews: 0 });
  });
});

describe('nextHold: quick answers with news', () => {
  it('from a server that has shown it holds: followed at once, QUICK_NEWS_LIMIT times in a row, then one waits', () => {
    let quickNews = 0;
    const steps = Array.from({ length: QUICK_NEWS_LIMIT + 2 }, () => {
      const step = nextHold('auto', 'holds', seen(30, 40, true), INTERVAL, quickNews);
      quickNews = step.quickNews;
      return step.atOnce;
    });
    expect(steps).toEqual([...Array.from({ length: QUICK_NEWS_LIMIT }, () => true), false, true]);
  });

  it('a hold shown by duration starts the count again', () => {
    expect(nextHold('auto', 'holds', seen(30, 1_200, true), INTERVAL, QUICK_NEWS_LIMIT)).toEqual({ verdict: 'holds', waitSeconds: 30, atOnce: true, quickNews: 0 });
  });

  it('from a server never seen holding: never at once', () => {
    expect(nextHold('auto', 'unknown', seen(30, 40, true), INTERVAL, 0)).toMatchObject({ atOnce: false, quickNews: 0 });
    expect(nextHold(5, 'answersAtOnce', seen(5, 40, true), INTERVAL, 0)).toMatchObject({ atOnce: false });
  });
});

describe('holdForPoll: only a poll sent at once after an answer asks a hold', () => {
  it.each<[number | 'auto', HoldVerdict, number, number]>([
    ['auto', 'unknown', 0, AUTO_WAIT_SECONDS],
    ['auto', 'holds', 0, AUTO_WAIT_SECONDS],
    // After a wait, a long poll would miss what changed in the wait until the hold ends.
    ['auto', 'unknown', 900, 0],
    ['auto', 'holds', 900, 0],
    ['auto', 'answersAtOnce', 0, 0],
    // A server known to answer at once holds nothing: a number is asked as it is.
    [5, 'answersAtOnce', 900, 5],
    [5, 'holds', 900, 0],
  ])('waitSeconds %j, verdict %s, after %d ms: asks %d s', (setting, verdict, delayMs, seconds) => {
    expect(holdForPoll(setting, verdict, delayMs)).toBe(seconds);
  });

  it('a plain poll that saw no change is followed at once by a long poll (unless the server answers at once)', () => {
    expect(nextHold('auto', 'unknown', seen(0, 3, false), INTERVAL)).toMatchObject({ atOnce: true });
    expect(nextHold('auto', 'holds', seen(0, 3, false), INTERVAL)).toMatchObject({ atOnce: true });
    expect(nextHold('auto', 'unknown', seen(0, 3, true), INTERVAL)).toMatchObject({ atOnce: false });
    expect(nextHold(5, 'answersAtOnce', seen(0, 3, false), INTERVAL)).toMatchObject({ atOnce: false });
  });
});

describe('firstDelayMs: the delay before an execution’s first poll', () => {
  const polling = (waitSeconds: number | 'auto') => ({ intervalMs: 900, idleIntervalMs: 5_000, waitSeconds });
  it.each<[number | 'auto', HoldVerdict, string, number]>([
    ['auto', 'unknown', 'Running', 0],
    ['auto', 'holds', 'Running', 0],
    ['auto', 'holds', 'Queued', 0],
    ['auto', 'answersAtOnce', 'Running', 900],
    ['auto', 'holds', 'UserInput', 5_000],
    [0, 'holds', 'Running', 900],
    [30, 'unknown', 'Running', 0],
    [30, 'answersAtOnce', 'Waiting', 5_000],
  ])('waitSeconds %j, verdict %s, status %s: %d ms', (setting, verdict, status, ms) => {
    expect(firstDelayMs(polling(setting), verdict, status as never)).toBe(ms);
  });
});

it('createHoldMemory starts knowing nothing, one fresh memory per call', () => {
  const a = createHoldMemory();
  expect(a).toEqual({ verdict: 'unknown', reprobeAtMs: 0 });
  expect(createHoldMemory()).not.toBe(a);
});

describe('verdictAt and keepVerdict: answersAtOnce expires, so the client probes again', () => {
  it('keeps a new answersAtOnce for REPROBE_AFTER_MS, then reads unknown (the next request asks a hold)', () => {
    const memory = createHoldMemory();
    keepVerdict(memory, 'unknown', 'answersAtOnce', 1_000);
    expect(verdictAt(memory, 1_000 + REPROBE_AFTER_MS - 1)).toBe('answersAtOnce');
    expect(verdictAt(memory, 1_000 + REPROBE_AFTER_MS)).toBe('unknown');
    expect(holdToAsk('auto', verdictAt(memory, 1_000 + REPROBE_AFTER_MS))).toBe(AUTO_WAIT_SECONDS);
  });

  it('does not extend a verdict in force when it is confirmed by a late answer', () => {
    const memory = createHoldMemory();
    keepVerdict(memory, 'unknown', 'answersAtOnce', 0);
    keepVerdict(memory, 'answersAtOnce', 'answersAtOnce', 60_000);
    expect(verdictAt(memory, REPROBE_AFTER_MS)).toBe('unknown');
  });

  it('a probe that shows a hold brings long polling back', () => {
    const memory = createHoldMemory();
    keepVerdict(memory, 'unknown', 'answersAtOnce', 0);
    const before = verdictAt(memory, REPROBE_AFTER_MS);
    keepVerdict(memory, before, nextHold('auto', before, seen(30, 30_000, false), INTERVAL).verdict, REPROBE_AFTER_MS + 30_000);
    expect(verdictAt(memory, REPROBE_AFTER_MS + 30_000)).toBe('holds');
  });
});
