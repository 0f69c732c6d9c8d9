-- spine:description undo 0002_circuit_breakers
DROP TABLE IF EXISTS circuit_breakers;
