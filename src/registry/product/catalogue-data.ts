/**
 * The demo product catalogue: common items of Rwanda's and WHO's essential medicines lists, one line
 * each. Names, strengths, forms, ATC codes and the vaccines' CVX codes are real; the GTINs are
 * synthetic (see gtin.ts) and the local codes are Huza's demo codes, not the ministry's.
 */

/** Therapeutic classes: WHO EML's grouping, with Huza's own codes (not the official section numbers). */
export const EML_CLASSES: readonly { code: string; display: string; parent?: string }[] = [
  { code: 'pain', display: 'Medicines for pain and palliative care' },
  { code: 'pain.non-opioid', display: 'Non-opioid analgesics and NSAIDs', parent: 'pain' },
  { code: 'anticonvulsants', display: 'Anticonvulsants' },
  { code: 'anti-infectives', display: 'Anti-infective medicines' },
  { code: 'anti-infectives.anthelminthics', display: 'Anthelminthics', parent: 'anti-infectives' },
  { code: 'anti-infectives.antibacterials', display: 'Antibacterials', parent: 'anti-infectives' },
  { code: 'anti-infectives.antituberculosis', display: 'Antituberculosis medicines', parent: 'anti-infectives' },
  { code: 'anti-infectives.antifungals', display: 'Antifungal medicines', parent: 'anti-infectives' },
  { code: 'anti-infectives.antiretrovirals', display: 'Antiretrovirals', parent: 'anti-infectives' },
  { code: 'anti-infectives.antimalarials', display: 'Antimalarial medicines', parent: 'anti-infectives' },
  { code: 'blood', display: 'Medicines affecting the blood' },
  { code: 'blood.antianaemia', display: 'Antianaemia medicines', parent: 'blood' },
  { code: 'cardiovascular', display: 'Cardiovascular medicines' },
  { code: 'cardiovascular.antihypertensives', display: 'Antihypertensive medicines', parent: 'cardiovascular' },
  { code: 'antiseptics', display: 'Antiseptics and disinfectants' },
  { code: 'gastrointestinal', display: 'Gastrointestinal medicines' },
  { code: 'gastrointestinal.diarrhoea', display: 'Medicines used in diarrhoea', parent: 'gastrointestinal' },
  { code: 'endocrine', display: 'Medicines for endocrine disorders' },
  { code: 'endocrine.diabetes', display: 'Insulins and medicines for diabetes', parent: 'endocrine' },
  { code: 'immunologicals', display: 'Immunologicals' },
  { code: 'immunologicals.vaccines', display: 'Vaccines', parent: 'immunologicals' },
  { code: 'reproductive', display: 'Medicines for reproductive health and perinatal care' },
  { code: 'reproductive.contraceptives', display: 'Contraceptives', parent: 'reproductive' },
  { code: 'reproductive.uterotonics', display: 'Uterotonics', parent: 'reproductive' },
  { code: 'respiratory', display: 'Medicines acting on the respiratory tract' },
  { code: 'fluids', display: 'Solutions correcting water, electrolyte and acid-base disturbances' },
  { code: 'vitamins-minerals', display: 'Vitamins and minerals' },
];

/** Dose forms: the HL7 v3 orderable drug form where it has one, else text only. */
export const FORMS = {
  tablet: { v3: ['TAB', 'Tablet'], text: 'Tablet', unit: 'tablet' },
  dispersible: { v3: ['DISINTAB', 'Disintegrating Tablet'], text: 'Dispersible tablet', unit: 'tablet' },
  chewable: { v3: ['CHEWTAB', 'Chewable Tablet'], text: 'Chewable tablet', unit: 'tablet' },
  capsule: { v3: ['CAP', 'Capsule'], text: 'Capsule', unit: 'capsule' },
  suspension: { v3: ['ORSUSP', 'Oral Suspension'], text: 'Oral suspension', unit: 'mL' },
  powderOral: { v3: ['POWD', 'Powder'], text: 'Powder for oral solution', unit: 'sachet' },
  injection: { text: 'Solution for injection', unit: 'mL' },
  powderInjection: { text: 'Powder for injection', unit: 'vial' },
  infusion: { v3: ['IVSOL', 'Intravenous Solution'], text: 'Solution for infusion', unit: 'mL' },
  inhaler: { v3: ['MDINHL', 'Metered Dose Inhaler'], text: 'Metered dose inhaler', unit: 'dose' },
  gel: { v3: ['TOPGEL', 'Topical Gel'], text: 'Topical gel', unit: 'g' },
  implant: { text: 'Implant', unit: 'implant' },
  device: { text: 'Device', unit: 'piece' },
  vaccine: { text: 'Vaccine', unit: 'dose' },
} as const;

export type FormKey = keyof typeof FORMS;

export interface CatalogueItem {
  /** Local code in the essential-medicines code system. */
  code: string;
  name: string;
  form: FormKey;
  eml: string;
  /** [substance, amount, unit (UCUM), per amount, per unit (UCUM)]; per defaults to one unit of the form. */
  ingredients: [string, number, string, number?, string?][];
  /** Units in one pack, and what the pack is. */
  pack: [number, string];
  atc?: string;
  cvx?: string;
}

const i = (code: string, name: string, form: FormKey, eml: string, ingredients: CatalogueItem['ingredients'], pack: [number, string], atc?: string, cvx?: string): CatalogueItem =>
  ({ code, name, form, eml, ingredients, pack, ...(atc ? { atc } : {}), ...(cvx ? { cvx } : {}) });

const AB = 'anti-infectives.antibacterials';
const ARV = 'anti-infectives.antiretrovirals';
const TB = 'anti-infectives.antituberculosis';
const FP = 'reproductive.contraceptives';
const VAX = 'immunologicals.vaccines';

/** The catalogue. The first ten codes are the ones the demo prescriptions use (src/seed/terminology.ts). */
export const CATALOGUE: readonly CatalogueItem[] = [
  i('EM-AL-20-120-TAB', 'Artemether/Lumefantrine 20/120 mg tablet', 'tablet', 'anti-infectives.antimalarials', [['Artemether', 20, 'mg'], ['Lumefantrine', 120, 'mg']], [24, 'Blister pack'], 'P01BF01'),
  i('EM-AMOX-250-DT', 'Amoxicillin 250 mg dispersible tablet', 'dispersible', AB, [['Amoxicillin', 250, 'mg']], [100, 'Box'], 'J01CA04'),
  i('EM-AMOX-500-CAP', 'Amoxicillin 500 mg capsule', 'capsule', AB, [['Amoxicillin', 500, 'mg']], [100, 'Box'], 'J01CA04'),
  i('EM-PCM-500-TAB', 'Paracetamol 500 mg tablet', 'tablet', 'pain.non-opioid', [['Paracetamol', 500, 'mg']], [1000, 'Tin'], 'N02BE01'),
  i('EM-PCM-120-5-SYR', 'Paracetamol 120 mg/5 mL oral suspension', 'suspension', 'pain.non-opioid', [['Paracetamol', 120, 'mg', 5, 'mL']], [100, 'Bottle'], 'N02BE01'),
  i('EM-MET-500-TAB', 'Metformin 500 mg tablet', 'tablet', 'endocrine.diabetes', [['Metformin hydrochloride', 500, 'mg']], [100, 'Box'], 'A10BA02'),
  i('EM-AML-5-TAB', 'Amlodipine 5 mg tablet', 'tablet', 'cardiovascular.antihypertensives', [['Amlodipine', 5, 'mg']], [30, 'Box'], 'C08CA01'),
  i('EM-TLD-TAB', 'Tenofovir/Lamivudine/Dolutegravir 300/300/50 mg tablet', 'tablet', ARV, [['Tenofovir disoproxil fumarate', 300, 'mg'], ['Lamivudine', 300, 'mg'], ['Dolutegravir', 50, 'mg']], [30, 'Bottle'], 'J05AR27'),
  i('EM-CTX-960-TAB', 'Sulfamethoxazole/Trimethoprim 800/160 mg tablet', 'tablet', AB, [['Sulfamethoxazole', 800, 'mg'], ['Trimethoprim', 160, 'mg']], [100, 'Box'], 'J01EE01'),
  i('EM-RHZE-TAB', 'Rifampicin/Isoniazid/Pyrazinamide/Ethambutol 150/75/400/275 mg tablet', 'tablet', TB, [['Rifampicin', 150, 'mg'], ['Isoniazid', 75, 'mg'], ['Pyrazinamide', 400, 'mg'], ['Ethambutol', 275, 'mg']], [672, 'Box'], 'J04AM06'),
  // pain
  i('EM-IBU-400-TAB', 'Ibuprofen 400 mg tablet', 'tablet', 'pain.non-opioid', [['Ibuprofen', 400, 'mg']], [100, 'Box'], 'M01AE01'),
  // anti-infectives
  i('EM-CRO-1G-INJ', 'Ceftriaxone 1 g powder for injection', 'powderInjection', AB, [['Ceftriaxone', 1, 'g']], [1, 'Vial'], 'J01DD04'),
  i('EM-GEN-40-INJ', 'Gentamicin 40 mg/mL injection, 2 mL ampoule', 'injection', AB, [['Gentamicin', 40, 'mg', 1, 'mL']], [2, 'Ampoule'], 'J01GB03'),
  i('EM-MTZ-250-TAB', 'Metronidazole 250 mg tablet', 'tablet', AB, [['Metronidazole', 250, 'mg']], [100, 'Box'], 'P01AB01'),
  i('EM-DOX-100-TAB', 'Doxycycline 100 mg tablet', 'tablet', AB, [['Doxycycline', 100, 'mg']], [100, 'Box'], 'J01AA02'),
  i('EM-BPG-2.4-INJ', 'Benzathine benzylpenicillin 2.4 million IU powder for injection', 'powderInjection', AB, [['Benzathine benzylpenicillin', 2_400_000, '[iU]']], [1, 'Vial'], 'J01CE08'),
  i('EM-ALB-400-TAB', 'Albendazole 400 mg chewable tablet', 'chewable', 'anti-infectives.anthelminthics', [['Albendazole', 400, 'mg']], [100, 'Box'], 'P02CA03'),
  i('EM-MEB-500-TAB', 'Mebendazole 500 mg chewable tablet', 'chewable', 'anti-infectives.anthelminthics', [['Mebendazole', 500, 'mg']], [100, 'Box'], 'P02CA01'),
  i('EM-PZQ-600-TAB', 'Praziquantel 600 mg tablet', 'tablet', 'anti-infectives.anthelminthics', [['Praziquantel', 600, 'mg']], [1000, 'Tin'], 'P02BA01'),
  i('EM-ARS-60-INJ', 'Artesunate 60 mg powder for injection', 'powderInjection', 'anti-infectives.antimalarials', [['Artesunate', 60, 'mg']], [1, 'Vial'], 'P01BE03'),
  i('EM-RH-150-75-TAB', 'Rifampicin/Isoniazid 150/75 mg tablet', 'tablet', TB, [['Rifampicin', 150, 'mg'], ['Isoniazid', 75, 'mg']], [672, 'Box'], 'J04AM02'),
  i('EM-INH-300-TAB', 'Isoniazid 300 mg tablet', 'tablet', TB, [['Isoniazid', 300, 'mg']], [100, 'Box'], 'J04AC01'),
  i('EM-DTG-10-DT', 'Dolutegravir 10 mg dispersible tablet', 'dispersible', ARV, [['Dolutegravir', 10, 'mg']], [90, 'Bottle']),
  i('EM-ABC-3TC-120-60-DT', 'Abacavir/Lamivudine 120/60 mg dispersible tablet', 'dispersible', ARV, [['Abacavir', 120, 'mg'], ['Lamivudine', 60, 'mg']], [30, 'Bottle'], 'J05AR02'),
  i('EM-NVP-50-5-SUSP', 'Nevirapine 50 mg/5 mL oral suspension', 'suspension', ARV, [['Nevirapine', 50, 'mg', 5, 'mL']], [100, 'Bottle'], 'J05AG01'),
  i('EM-FLU-200-CAP', 'Fluconazole 200 mg capsule', 'capsule', 'anti-infectives.antifungals', [['Fluconazole', 200, 'mg']], [10, 'Box'], 'J02AC01'),
  // blood
  i('EM-FEFOL-TAB', 'Ferrous sulfate/Folic acid 200/0.4 mg tablet', 'tablet', 'blood.antianaemia', [['Ferrous sulfate', 200, 'mg'], ['Folic acid', 0.4, 'mg']], [1000, 'Tin'], 'B03AD03'),
  i('EM-FOL-5-TAB', 'Folic acid 5 mg tablet', 'tablet', 'blood.antianaemia', [['Folic acid', 5, 'mg']], [1000, 'Tin'], 'B03BB01'),
  // cardiovascular and diabetes
  i('EM-HCTZ-25-TAB', 'Hydrochlorothiazide 25 mg tablet', 'tablet', 'cardiovascular.antihypertensives', [['Hydrochlorothiazide', 25, 'mg']], [100, 'Box'], 'C03AA03'),
  i('EM-ENA-10-TAB', 'Enalapril 10 mg tablet', 'tablet', 'cardiovascular.antihypertensives', [['Enalapril maleate', 10, 'mg']], [100, 'Box'], 'C09AA02'),
  i('EM-GLI-5-TAB', 'Glibenclamide 5 mg tablet', 'tablet', 'endocrine.diabetes', [['Glibenclamide', 5, 'mg']], [100, 'Box'], 'A10BB01'),
  i('EM-INS-SOL-100', 'Insulin, soluble human 100 IU/mL, 10 mL vial', 'injection', 'endocrine.diabetes', [['Insulin human', 100, '[iU]', 1, 'mL']], [10, 'Vial'], 'A10AB01'),
  i('EM-INS-NPH-100', 'Insulin, isophane human 100 IU/mL, 10 mL vial', 'injection', 'endocrine.diabetes', [['Insulin isophane human', 100, '[iU]', 1, 'mL']], [10, 'Vial'], 'A10AC01'),
  // diarrhoea
  i('EM-ORS-SACHET', 'Oral rehydration salts (low osmolarity) for 1 L', 'powderOral', 'gastrointestinal.diarrhoea', [['Oral rehydration salts', 20.5, 'g', 1, '{sachet}']], [1, 'Sachet'], 'A07CA'),
  i('EM-ZINC-20-DT', 'Zinc sulfate 20 mg dispersible tablet', 'dispersible', 'gastrointestinal.diarrhoea', [['Zinc', 20, 'mg']], [10, 'Blister pack'], 'A12CB01'),
  // reproductive health
  i('EM-OXY-10-INJ', 'Oxytocin 10 IU/mL injection', 'injection', 'reproductive.uterotonics', [['Oxytocin', 10, '[iU]', 1, 'mL']], [1, 'Ampoule'], 'H01BB02'),
  i('EM-MISO-200-TAB', 'Misoprostol 200 microgram tablet', 'tablet', 'reproductive.uterotonics', [['Misoprostol', 200, 'ug']], [3, 'Blister pack'], 'G02AD06'),
  i('EM-MGSO4-50-INJ', 'Magnesium sulfate 500 mg/mL injection, 10 mL ampoule', 'injection', 'anticonvulsants', [['Magnesium sulfate', 500, 'mg', 1, 'mL']], [10, 'Ampoule'], 'B05XA05'),
  i('EM-COC-LNG-EE-TAB', 'Levonorgestrel/Ethinylestradiol 150/30 microgram tablet', 'tablet', FP, [['Levonorgestrel', 150, 'ug'], ['Ethinylestradiol', 30, 'ug']], [28, 'Cycle'], 'G03AA07'),
  i('EM-DMPA-IM-150', 'Medroxyprogesterone acetate 150 mg/mL injection (DMPA-IM)', 'injection', FP, [['Medroxyprogesterone acetate', 150, 'mg', 1, 'mL']], [1, 'Vial'], 'G03AC06'),
  i('EM-DMPA-SC-104', 'Medroxyprogesterone acetate 104 mg/0.65 mL subcutaneous injection (DMPA-SC)', 'injection', FP, [['Medroxyprogesterone acetate', 104, 'mg', 0.65, 'mL']], [0.65, 'Prefilled injector'], 'G03AC06'),
  i('EM-LNG-IMP-150', 'Levonorgestrel implant, two rods of 75 mg', 'implant', FP, [['Levonorgestrel', 150, 'mg']], [1, 'Implant set'], 'G03AC03'),
  i('EM-ETO-IMP-68', 'Etonogestrel implant 68 mg', 'implant', FP, [['Etonogestrel', 68, 'mg']], [1, 'Implant set'], 'G03AC08'),
  i('EM-LNG-EC-1.5-TAB', 'Levonorgestrel 1.5 mg tablet (emergency contraception)', 'tablet', FP, [['Levonorgestrel', 1.5, 'mg']], [1, 'Blister pack'], 'G03AD01'),
  i('EM-IUD-CU380A', 'Copper-containing intrauterine device (TCu380A)', 'device', FP, [['Copper', 380, 'mm2', 1, '{device}']], [1, 'Sterile pack'], 'G02BA02'),
  i('EM-CONDOM-M', 'Male condom', 'device', FP, [], [144, 'Box']),
  // others
  i('EM-SALB-100-INH', 'Salbutamol 100 microgram/dose inhaler, 200 doses', 'inhaler', 'respiratory', [['Salbutamol', 100, 'ug', 1, '{dose}']], [200, 'Inhaler'], 'R03AC02'),
  i('EM-VITA-200K-CAP', 'Retinol (vitamin A) 200,000 IU capsule', 'capsule', 'vitamins-minerals', [['Retinol', 200_000, '[iU]']], [500, 'Bottle'], 'A11CA01'),
  i('EM-NACL-0.9-500', 'Sodium chloride 0.9% solution for infusion, 500 mL', 'infusion', 'fluids', [['Sodium chloride', 9, 'mg', 1, 'mL']], [500, 'Bag']),
  i('EM-RL-500', 'Compound sodium lactate (Ringer\'s lactate) solution for infusion, 500 mL', 'infusion', 'fluids', [['Compound sodium lactate', 500, 'mL', 500, 'mL']], [500, 'Bag']),
  i('EM-CHX-7.1-GEL', 'Chlorhexidine digluconate 7.1% gel (umbilical cord care)', 'gel', 'antiseptics', [['Chlorhexidine digluconate', 71, 'mg', 1, 'g']], [10, 'Tube'], 'D08AC02'),
  // vaccines of the national immunisation programme
  i('EM-VAX-BCG', 'BCG vaccine', 'vaccine', VAX, [], [20, 'Multi-dose vial'], 'J07AN01', '19'),
  i('EM-VAX-BOPV', 'Oral poliomyelitis vaccine, bivalent (bOPV)', 'vaccine', VAX, [], [20, 'Multi-dose vial'], undefined, '178'),
  i('EM-VAX-PENTA', 'Diphtheria/Tetanus/Pertussis/Hepatitis B/Hib vaccine (pentavalent)', 'vaccine', VAX, [], [10, 'Multi-dose vial'], undefined, '102'),
  i('EM-VAX-PCV13', 'Pneumococcal conjugate vaccine (PCV13)', 'vaccine', VAX, [], [1, 'Single-dose vial'], undefined, '133'),
  i('EM-VAX-ROTA', 'Rotavirus vaccine, monovalent', 'vaccine', VAX, [], [1, 'Oral applicator'], undefined, '119'),
  i('EM-VAX-MR', 'Measles/Rubella vaccine', 'vaccine', VAX, [], [10, 'Multi-dose vial'], undefined, '04'),
  i('EM-VAX-HPV4', 'Human papillomavirus vaccine, quadrivalent', 'vaccine', VAX, [], [1, 'Single-dose vial'], undefined, '62'),
  i('EM-VAX-TD', 'Tetanus/Diphtheria vaccine (Td)', 'vaccine', VAX, [], [10, 'Multi-dose vial'], undefined, '09'),
];
