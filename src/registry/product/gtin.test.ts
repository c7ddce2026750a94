import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CATALOGUE } from './catalogue-data.ts';
import { demoGtin, gs1CheckDigit, gtinProblem } from './gtin.ts';
import { gtinOf } from './product-catalogue.ts';
import { MEDICINES } from '../../seed/terminology.ts';

describe('GTIN', () => {
  test('GS1 mod-10 check digits of published examples', () => {
    assert.equal(gs1CheckDigit('400638133393'), 1); // EAN-13 4006381333931
    assert.equal(gs1CheckDigit('03600029145'), 2); // UPC-A 036000291452
    assert.equal(gtinProblem('4006381333931'), undefined);
    assert.equal(gtinProblem('036000291452'), undefined);
    assert.equal(gtinProblem('00036000291452'), undefined); // the same item as GTIN-14
  });

  test('bad GTINs say what is wrong', () => {
    assert.equal(gtinProblem('4006381333932'), 'the check digit should be 1');
    assert.equal(gtinProblem('40063813339'), 'a GTIN has 8, 12, 13 or 14 digits, not 11');
    assert.equal(gtinProblem('40063813339X1'), 'a GTIN has digits only');
  });

  test('demo GTINs are GTIN-14 under GS1\'s demonstration prefix 952, valid and unique', () => {
    assert.equal(demoGtin(1, 1), `0952000100001${gs1CheckDigit('095200010000 1'.replace(' ', ''))}`);
    const all = CATALOGUE.map(gtinOf);
    for (const g of all) {
      assert.match(g, /^0952\d{10}$/);
      assert.equal(gtinProblem(g), undefined, g);
    }
    assert.equal(new Set(all).size, CATALOGUE.length);
  });

  test('the catalogue has 40–60 items, unique codes, and every medicine the demo prescriptions use', () => {
    assert.ok(CATALOGUE.length >= 40 && CATALOGUE.length <= 60, String(CATALOGUE.length));
    const codes = new Set(CATALOGUE.map((c) => c.code));
    assert.equal(codes.size, CATALOGUE.length);
    for (const m of Object.values(MEDICINES)) assert.ok(codes.has(m.code), m.code);
  });
});
