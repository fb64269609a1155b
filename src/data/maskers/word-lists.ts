/**
 * Built-in word lists for realistic fake names, streets, cities and companies. Written for this
 * project (common given names and surnames are facts, not a copied data set); small on purpose:
 * the masker picks from them by keyed hash, so realism matters more than variety.
 */

const words = (text: string): readonly string[] => Object.freeze(text.trim().split(/\s+/));

/** Given names of mixed origin. */
export const firstNames = words(`
  Aaron Abigail Ada Adam Adrian Aisha Alan Albert Alejandro Alex Alice Alina Amara Amelia Amir
  Ana Andrea Andrew Angela Anika Anna Anton Arjun Arthur Astrid Ava Ben Bianca Boris Bruno
  Camila Carla Carlos Caroline Charlotte Chen Chiara Chloe Clara Daniel David Diana Diego Dmitri
  Dora Edward Elena Eli Elias Elif Elijah Elisa Ella Emil Emily Emma Eric Erik Esther Ethan Eva
  Fatima Felix Finn Florian Frida Gabriel Georg Grace Greta Hana Hannah Harper Hassan Helena
  Henry Hugo Ida Ines Ingrid Isaac Isabel Ivan Jack Jacob Jade James Jana Javier Jonas Jorge
  Jose Julia Julian Kai Karim Kate Kenji Kira Klara Lara Laura Layla Lea Leo Leon Liam Lina
  Linus Lisa Lucas Lucia Luis Luka Maja Malik Marco Maria Marie Mark Marta Mateo Matilda Max
  Maya Mei Mia Mila Miguel Mila Mina Mohammed Nadia Naomi Nathan Nina Noah Nora Oliver Olivia
  Omar Oscar Paul Paula Pedro Petra Priya Rafael Rahul Ravi Rebecca Rosa Ruby Ryan Sam Samir
  Sara Sebastian Sofia Sophie Stella Stefan Tara Theo Thomas Tobias Tom Valentina Victor Vera
  Viktor Wei William Yara Yusuf Zara Zoe
`);

/** Surnames of mixed origin. */
export const lastNames = words(`
  Abbott Adler Ahmed Alvarez Andersen Arnold Bailey Baker Barros Bauer Becker Bennett Berg
  Bergmann Bianchi Brandt Braun Brooks Brown Bruno Campbell Carter Castro Chen Clarke Cohen
  Collins Cooper Costa Cruz Dahl Davies Dietrich Diaz Dubois Duarte Eriksson Evans Fernandes
  Ferrari Fischer Fleming Fontaine Foster Fox Franke Fuchs Garcia Gomez Graham Gray Green Gruber
  Hahn Hall Hansen Hartmann Hayes Hoffmann Horvat Hughes Ivanov Jansen Jensen Johansson Jones
  Kaiser Kang Keller Kelly Kim Klein Koch Kovac Kowalski Kraus Kruger Lambert Lange Larsen
  Laurent Lee Lehmann Lewis Lindqvist Lopez Lorenz Mahler Marino Martin Martins Mayer Meier
  Mendes Meyer Miller Moreau Morgan Moreno Muller Murphy Nagy Nakamura Neumann Nguyen Nielsen
  Novak Olsen Ortiz Park Patel Perez Peters Petrov Pohl Popescu Price Quinn Ramos Reed Reyes
  Richter Rivera Roberts Romano Rossi Roth Russo Sanchez Santos Sato Schmid Schmidt Schneider
  Scholz Schubert Schulz Schwarz Silva Simon Singh Sommer Stewart Suzuki Svensson Tanaka Taylor
  Thomas Torres Turner Vargas Vogel Wagner Walker Walter Wang Ward Weber Werner Wilson Winter
  Wolf Wood Wright Yilmaz Young Zhang Zimmermann
`);

/** Street names (the masker adds a house number and a suffix). */
export const streetNames = words(`
  Acacia Alder Ash Aspen Beech Birch Bridge Brook Canal Castle Cedar Chapel Cherry Church Cliff
  Clover Dale Elm Fern Field Forest Garden Glen Grove Harbor Hawthorn Hazel Heath Hill Holly
  Lake Laurel Linden Maple Meadow Mill Oak Orchard Park Pine Poplar Quarry River Rose Spring
  Station Willow Windmill
`);

/** Street suffixes. */
export const streetSuffixes = words('Street Road Avenue Lane Way Drive Court Place Close Row');

/** Cities (real place names, chosen for being common and unremarkable). */
export const cities = words(`
  Aachen Arlington Ashford Aurora Bergen Bristol Brookfield Cambridge Camden Clayton Dayton
  Dover Dresden Easton Fairview Franklin Freiburg Georgetown Graz Greenville Hamilton Hanover
  Harrison Kingston Lancaster Leeds Leiden Lexington Linz Lyon Madison Malmo Marion Milton
  Newport Oakland Oxford Porto Richmond Riverside Salem Salzburg Springfield Troy Turin Utrecht
  Verona Windsor York Zurich
`);

/** First words of company names. */
export const companyWords = words(`
  Alpine Apex Beacon Blue Bright Cedar Cobalt Crest Delta Evergreen Falcon Granite Harbor
  Horizon Iron Juniper Keystone Lakeside Maple Meridian Nimbus Northwind Oak Orbit Pioneer
  Quartz Redwood Silver Summit Sterling Trident Vertex Willow Zenith
`);

/** Second words of company names. */
export const companyTrades = words(`
  Analytics Builders Consulting Dynamics Foods Freight Goods Health Industries Labs Logistics
  Media Motors Partners Retail Software Solutions Supplies Systems Textiles Travel Works
`);

/** Legal suffixes of company names. */
export const companySuffixes = words('Inc LLC Ltd GmbH AG SA BV Co');

/** Every word the dictionary maskers draw from, lower-case: their output proves nothing leaked. */
export function maskerVocabulary(): ReadonlySet<string> {
  return new Set(
    [
      ...firstNames,
      ...lastNames,
      ...streetNames,
      ...streetSuffixes,
      ...cities,
      ...companyWords,
      ...companyTrades,
      ...companySuffixes,
    ].map((w) => w.toLowerCase()),
  );
}
