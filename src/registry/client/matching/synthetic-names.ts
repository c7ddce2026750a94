/**
 * Extra names for synthetic matching data, on top of src/seed/names.ts: with only the seed's
 * lists, far more unrelated people share a full name than in a real population, which would make
 * the benchmark measure name collisions rather than matching.
 */
export const EXTRA_KINYARWANDA = [
  'Mugwaneza', 'Nkundimana', 'Bimenyimana', 'Ntakirutimana', 'Habiyaremye', 'Hakuzimana', 'Nizeyimana',
  'Nsengiyaremye', 'Ngendahimana', 'Mukeshimana', 'Murenzi', 'Rugamba', 'Gakwaya', 'Gatera', 'Kamanzi',
  'Kabera', 'Kanamugire', 'Karekezi', 'Ruhumuriza', 'Rwagasana', 'Sebahire', 'Semuhungu', 'Twahirwa',
  'Uwamungu', 'Uzabakiriho', 'Bizumuremyi', 'Dusengimana', 'Hagenimana', 'Havugimana', 'Iyamuremye',
  'Kubwimana', 'Majyambere', 'Mbonigaba', 'Mfitumukiza', 'Munyakazi', 'Musabyimana', 'Ndahayo',
  'Ndizeye', 'Ngabonziza', 'Niyodusenga', 'Nkurikiyimana', 'Nsengumuremyi', 'Ntawukuriryayo',
  'Nyandwi', 'Rudasingwa', 'Rukundo', 'Sindayigaya', 'Tuyishimire', 'Twagiramungu', 'Uwayezu',
  'Uwamahirwe', 'Mukamurenzi', 'Nyirabahire', 'Mukandori', 'Uwacu', 'Umubyeyi', 'Nikuze', 'Nirere',
  'Mukamazimpaka', 'Nyiransengimana', 'Uwiringiyimana', 'Mukabaranga', 'Nyirandikubwimana', 'Ayinkamiye',
  'Ntamuhanga', 'Bazambanza', 'Hategeka', 'Mugiraneza', 'Nduwayezu', 'Niyoyita', 'Sugira', 'Iribagiza',
] as const;

export const EXTRA_FRENCH_MALE = [
  'Anaclet', 'Apollinaire', 'Bonaventure', 'Callixte', 'Damien', 'Déogratias', 'Etienne', 'Félix',
  'François Xavier', 'Gaspard', 'Hubert', 'Ildephonse', 'Jean Marie Vianney', 'Laurent', 'Léonard',
  'Martin', 'Narcisse', 'Oscar', 'Prosper', 'Sylvestre', 'Straton', 'Thacien', 'Viateur', 'Wellars',
] as const;

export const EXTRA_FRENCH_FEMALE = [
  'Annonciata', 'Bernadette', 'Colette', 'Dancille', 'Donatille', 'Epiphanie', 'Francoise', 'Gaudence',
  'Henriette', 'Jacqueline', 'Léocadie', 'Marie Goretti', 'Marthe', 'Médiatrice', 'Pélagie',
  'Philomène', 'Rose', 'Scholastique', 'Speciose', 'Thérèse', 'Valérie', 'Winnie', 'Zawadi', 'Marie Chantal',
] as const;
