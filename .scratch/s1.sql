select id from guest_sessions where id = 'c86f977a-cd9c-4258-8009-65d5663d217c'::uuid;
