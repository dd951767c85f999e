import { describe, expect, it } from '@jest/globals';
import { findDocuments } from '../../lib/index';

const A = '0b4c3d2e-1f00-4a00-8000-00000000d0c1';
const B = '0b4c3d2e-1f00-4a00-8000-00000000d0c2';
const C = '0b4c3d2e-1f00-4a00-8000-00000000d0c3';

describe('findDocuments', () => {
  it('finds references at any depth of a progress model, under any property, in arrays', () => {
    const progress = {
      id: 'x', status: 'Success',
      model: {
        approved: true,
        'block-3f2a': { outputDocument: { id: A, displayName: 'Contract.pdf', type: 'document' } },
        'block-51bd': { attachments: [{ id: B, displayName: 'Terms.docx', type: 'document' }, { deeper: { x: [{ id: C, displayName: 'Cover.pdf', type: 'Document' }] } }] },
      },
    };
    expect(findDocuments(progress)).toEqual([
      { id: A, displayName: 'Contract.pdf', type: 'document' },
      { id: B, displayName: 'Terms.docx', type: 'document' },
      { id: C, displayName: 'Cover.pdf', type: 'document' },
    ]);
  });

  it('finds them in an execution\'s state.output parts and lists each id once', () => {
    const ref = { id: A, displayName: 'Letter.pdf', type: 'document' };
    const execution = {
      id: 'x', status: 'Success', flow: { id: 'f', displayName: 'Letter', type: 'flow' },
      state: { output: { parts: [{ id: 'part-output', model: { b1: { outputDocument: ref } } }] }, stages: [{ lastProgress: { model: { b1: { outputDocument: { ...ref, id: A.toUpperCase() } } } } }] },
    };
    expect(findDocuments(execution)).toEqual([ref]);
  });

  it('ignores objects of other types, without an id, and gives displayName "" when missing', () => {
    expect(findDocuments({ a: { id: A, type: 'flow' }, b: { type: 'document' }, c: { id: '', type: 'document' }, d: { id: B, type: 'document' } })).toEqual([
      { id: B, displayName: '', type: 'document' },
    ]);
  });

  it('survives cycles, primitives and undefined', () => {
    const loop: Record<string, unknown> = { doc: { id: A, type: 'document', displayName: 'x' } };
    loop.self = loop;
    expect(findDocuments(loop)).toHaveLength(1);
    expect(findDocuments(undefined)).toEqual([]);
    expect(findDocuments('document')).toEqual([]);
  });
});
