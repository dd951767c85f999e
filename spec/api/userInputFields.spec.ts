import { describe, expect, it } from '@jest/globals';
import { userInputFields } from '../../lib/index';

describe('userInputFields', () => {
  it('lists the fields in form order with title, type, default from model and required', () => {
    const fields = userInputFields({
      schema: {
        type: 'object',
        required: ['comment'],
        properties: {
          approved: { type: 'boolean', title: 'Approved' },
          comment: { type: 'string', title: 'Comment', description: 'Why' },
          level: { type: 'integer', enum: [1, 2, 3], default: 2 },
        },
      },
      model: { approved: true, comment: 'fine' },
      form: [{ type: 'section', items: [{ key: 'comment', title: 'Your comment' }, 'approved'] }],
    });
    expect(fields).toEqual([
      { key: 'comment', title: 'Your comment', type: 'string', default: 'fine', required: true, description: 'Why' },
      { key: 'approved', title: 'Approved', type: 'boolean', default: true, required: false },
      { key: 'level', title: 'level', type: 'integer', default: 2, required: false, enum: [1, 2, 3] },
    ]);
  });

  it('flattens nested objects to dotted keys, reading their required lists and model values', () => {
    const fields = userInputFields({
      schema: {
        properties: {
          address: { type: 'object', required: ['city'], properties: { city: { type: 'string' }, zip: { type: ['null', 'string'] } } },
        },
      },
      model: { address: { city: 'Ghent' } },
    });
    expect(fields).toEqual([
      { key: 'address.city', title: 'address.city', type: 'string', default: 'Ghent', required: true },
      { key: 'address.zip', title: 'address.zip', type: 'string', default: undefined, required: false },
    ]);
  });

  it('keeps form keys the schema lacks (as strings), array keys joined, and the wildcard out', () => {
    const fields = userInputFields({ schema: {}, form: ['*', { key: ['a', 'b'], required: true }, { key: 'note' }] });
    expect(fields.map((f) => [f.key, f.type, f.required])).toEqual([['a.b', 'string', true], ['note', 'string', false]]);
  });

  it('gives [] for a progress without a form, and survives junk', () => {
    expect(userInputFields({})).toEqual([]);
    expect(userInputFields({ schema: 'x', model: 3, form: { items: 7 } })).toEqual([]);
  });

  it('reads the simulator\'s user-input form', () => {
    const fields = userInputFields({
      schema: { type: 'object', properties: { approved: { type: 'boolean', title: 'Approved' }, comment: { type: 'string', title: 'Comment' } } },
      model: { approved: false, comment: '' },
      form: [{ type: 'section', items: [{ key: 'approved' }, { key: 'comment' }] }],
    });
    expect(fields).toEqual([
      { key: 'approved', title: 'Approved', type: 'boolean', default: false, required: false },
      { key: 'comment', title: 'Comment', type: 'string', default: '', required: false },
    ]);
  });
});
